// Structural answers about a fabric before anything runs: for each host and each namespace it
// connects to, its paths (one per connection), their routes and ANA states, and the single
// points of failure — for keeping any usable path, and for keeping an optimized one.
//
//   Analysis a = analyze(topo);
//   for (const NamespaceReach& r : a.reach) ...   // r.spof_any, r.spof_optimized
//   if (!a.ok()) ...                              // a.failures explain why
//
// Definitions:
//  - a path is usable when its port is routable from the host and reports the namespace's ANA
//    group optimized or non-optimized (a port without the group counts as inaccessible);
//  - a component is a SPOF for "any" when its loss alone leaves the host no usable path to the
//    namespace, and for "optimized" when its loss leaves no usable optimized path;
//  - failures (the check fails): a host connected to a namespace's subsystem with no usable
//    path to it, or none optimized; a connection whose port cannot be reached from the host;
//  - warnings (reported, not failing): SPOFs, and a subsystem no host connects to.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "topologies/fabric_graph.h"
#include "topologies/topology.pb.h"

namespace mpsim::topology {

struct PathInfo {
  int connection = -1;         // index into Topology.connections
  std::string port;            // "<node>.<port>"
  AnaState state = INACCESSIBLE;
  std::optional<Route> route;  // nullopt: the port is unreachable from the host
  std::vector<Component> cut;  // components whose loss alone cuts this path's route
  bool usable() const { return route && (state == OPTIMIZED || state == NON_OPTIMIZED); }
  bool optimized() const { return route && state == OPTIMIZED; }
};

struct NamespaceReach {
  std::string host;
  std::string nqn;
  uint32_t nsid = 0;
  uint32_t ana_grpid = 0;
  std::vector<PathInfo> paths;           // in connection order
  std::vector<Component> spof_any;       // sorted; empty when unreachable (nothing left to lose)
  std::vector<Component> spof_optimized; // sorted; empty when no optimized path exists
  bool reachable() const;
  bool optimized_reachable() const;
};

struct Analysis {
  std::vector<NamespaceReach> reach;  // hosts in file order, then subsystems, then namespaces
  std::vector<std::string> failures;
  std::vector<std::string> warnings;
  bool ok() const { return failures.empty(); }
};

Analysis analyze(const Topology& topo);

}  // namespace mpsim::topology
