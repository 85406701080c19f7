// Parametric fabrics: a `generator { ... }` block (topology.proto: Generator) in place of a
// hand-written topology, expanded here into an ordinary Topology.
//
//   # in a topology file, or inline in an experiment's `topology { ... }`
//   generator { leaf_spine { hosts: 64 nics_per_host: 2 } }
//
// so a parameter such as `topology.generator.leaf_spine.hosts` can be a sweep axis. The
// families and every parameter with its default are documented in topology.proto and
// topologies/README.md; `mpsim topo gen leaf-spine --hosts 64 ...` prints the expansion.
#pragma once

#include <optional>
#include <string>

#include "topologies/textproto.h"
#include "topologies/topology.pb.h"

namespace mpsim::topology {

// Adds every problem of the generator's parameters to `diag`, located through `map` (which
// describes `gen` or a message holding it). A generator without problems always expands into
// a topology that validates.
void check_generator(const Generator& gen, const SourceMap& map, Diagnostics& diag);

// The expansion of a checked generator (name and description filled in from the parameters).
Topology generate(const Generator& gen);
Topology generate_leaf_spine(const LeafSpine& params);
Topology generate_dual_fabric(const DualFabric& params);

// The fabric `topo` stands for, validated: its generator expanded (a `name` or `description`
// written beside the generator replaces the generated one), or `topo` itself when it has none.
// std::nullopt when there are problems; they are in `diag`, located through `map` (which
// describes `topo` or the message holding it, e.g. an experiment).
std::optional<Topology> resolve_topology(const Topology& topo, const SourceMap& map, Diagnostics& diag);

// Text format with one line per host, switch, target node, link, subsystem and connection,
// after `header` (each of its lines written as a '#' comment). Parses back to `topo`.
std::string format_topology(const Topology& topo, const std::string& header);

}  // namespace mpsim::topology
