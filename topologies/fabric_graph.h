// The fabric as a Boost.Graph: which way a connection's traffic goes, and what it depends on.
//
// Vertices are the components that can fail and carry traffic: NICs, switches, target ports and
// links (a link is a vertex joined to its two ends, so it can be "removed" like anything else).
// Only switches forward: a route starts at one of the host's NICs, crosses links and switches,
// and ends at the target port; it never passes through another NIC or port. The route chosen is
// the lowest total link latency (Dijkstra); between equally close NICs the host's first wins, and
// the same topology always gives the same route.
//
// All functions expect a validated Topology (load_topology_file / validate_topology).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "topologies/topology.pb.h"

namespace mpsim::topology {

enum class ComponentKind { kNic, kLink, kSwitch, kTargetNode, kTargetPort };

// Something whose loss can cut paths. `id` is the NIC/port id, link name, switch or node name.
struct Component {
  ComponentKind kind;
  std::string id;
  bool operator==(const Component& other) const { return kind == other.kind && id == other.id; }
  bool operator<(const Component& other) const {
    return kind != other.kind ? kind < other.kind : id < other.id;
  }
};
std::string component_kind_name(ComponentKind kind);  // "nic", "link", "switch", "target-node", "port"
std::string describe(const Component& c);              // e.g. "switch sw-a"

struct Route {
  std::vector<std::string> hops;   // NIC id, link name, switch, link name, ..., port id
  std::vector<int> link_indices;   // indices into Topology.links, in route order
  std::string nic;                 // NIC id the route leaves from
  double latency_us = 0;           // one-way sum of the links' latency_us
  double bottleneck_bps = 0;       // min of NIC speed, link bandwidths and port speed
  std::string target_node;         // the port's node
  // Every component the route depends on: its NIC, links, switches, port and the port's node.
  std::vector<Component> components() const;
};

class FabricGraph {
 public:
  explicit FabricGraph(const Topology& topo);
  ~FabricGraph();
  FabricGraph(const FabricGraph&) = delete;
  FabricGraph& operator=(const FabricGraph&) = delete;

  // The best route for `conn` (from host_nic if set, else from any NIC of its host) with the
  // `failed` components out of service; nullopt when none exists.
  std::optional<Route> route(const Connection& conn, const std::vector<Component>& failed = {}) const;

  // The components whose loss alone leaves `conn` without any route (empty if it has none now).
  std::vector<Component> cut_components(const Connection& conn) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Convenience for one-off questions; builds the graph each call.
std::optional<Route> route_for(const Topology& topo, const Connection& conn);

}  // namespace mpsim::topology
