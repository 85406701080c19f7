// Human and machine renderings of a fabric analysis, for `mpsim topo check` and `topo paths`.
// JSON keys come out in a fixed order and numbers in a fixed format, so the same fabric always
// gives byte-identical output.
#pragma once

#include <string>

#include "topologies/analysis.h"
#include "topologies/topology.pb.h"

namespace mpsim::topology {

// `topo check`: a summary line, one row per (host, namespace) with path counts and SPOFs, then
// failures and warnings and the verdict.
std::string check_table(const std::string& file, const Topology& topo, const Analysis& analysis);
std::string check_json(const std::string& file, const Topology& topo, const Analysis& analysis);

// `topo paths`: every path with its route, latency, bottleneck and ANA state.
std::string paths_table(const std::string& file, const Topology& topo, const Analysis& analysis);
std::string paths_json(const std::string& file, const Topology& topo, const Analysis& analysis);

}  // namespace mpsim::topology
