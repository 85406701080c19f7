// Leaf-spine fabrics generated in code, for benchmarks and scale tests: `hosts` hosts spread
// over leaves of up to 32 hosts each, every leaf cabled to 2 spines, 4 target nodes with one
// port on each spine. One subsystem with 4 namespaces; namespace g is in ANA group g, optimized
// through target node g's ports and non-optimized through the others (each node owns a quarter).
// Every host connects to every port (8 controllers per host). This is the default expansion of
// `generator { leaf_spine { hosts: N } }` (topologies/generate.h).
#pragma once

#include <cstdint>

#include "sim/scenario.h"
#include "topologies/topology.pb.h"

namespace mpsim::experiments {

inline constexpr const char* kLeafSpineNqn = "nqn.2026-11.io.mpsim:leaf-spine";

topology::Topology make_leaf_spine(std::uint32_t hosts);

// A scenario on it: every host runs one 4 KiB randread job at `iodepth` on namespace
// (host index % 4) + 1 for `runtime`, from 10 ms on (once the controllers are connected), under
// `policy`.
sim::Scenario make_leaf_spine_scenario(std::uint32_t hosts, std::uint32_t iodepth, sim::Duration runtime,
                                       const std::string& policy, std::uint64_t seed);

}  // namespace mpsim::experiments
