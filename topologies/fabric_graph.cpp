#include "topologies/fabric_graph.h"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "topologies/topology.h"

namespace mpsim::topology {

namespace {

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                                    boost::property<boost::edge_weight_t, double>>;
using Vertex = Graph::vertex_descriptor;

struct VertexInfo {
  ComponentKind kind;
  std::string id;
  int host = -1;        // owner host of a NIC
  int node = -1;        // owner target node of a port
  int link = -1;        // index of a link
  double speed_bps = 0; // NIC/port speed or link bandwidth; 0 for a switch
};

// Which vertices a search may use: no failed component, and no NIC or port other than the
// connection's own ends (end devices do not forward).
struct Usable {
  const std::vector<char>* allowed = nullptr;
  bool operator()(Vertex v) const { return (*allowed)[v] != 0; }
};

}  // namespace

std::string component_kind_name(ComponentKind kind) {
  switch (kind) {
    case ComponentKind::kNic:
      return "nic";
    case ComponentKind::kLink:
      return "link";
    case ComponentKind::kSwitch:
      return "switch";
    case ComponentKind::kTargetNode:
      return "target-node";
    case ComponentKind::kTargetPort:
      return "port";
  }
  return "?";
}

std::string describe(const Component& c) { return component_kind_name(c.kind) + " " + c.id; }

std::vector<Component> Route::components() const {
  std::vector<Component> out;
  for (size_t i = 0; i < hops.size(); ++i) {
    ComponentKind kind = ComponentKind::kSwitch;
    if (i == 0) {
      kind = ComponentKind::kNic;
    } else if (i + 1 == hops.size()) {
      kind = ComponentKind::kTargetPort;
    } else if (i % 2 == 1) {
      kind = ComponentKind::kLink;
    }
    out.push_back({kind, hops[i]});
  }
  if (!target_node.empty()) out.push_back({ComponentKind::kTargetNode, target_node});
  return out;
}

struct FabricGraph::Impl {
  const Topology& topo;
  Graph graph;
  std::vector<VertexInfo> info;
  std::map<std::string, Vertex> by_id;  // NIC id, port id, switch name -> vertex
  std::vector<Vertex> link_vertex;      // per link index

  explicit Impl(const Topology& t) : topo(t) {
    add_end_vertices();
    add_links();
  }

  Vertex add_vertex(VertexInfo vi) {
    Vertex v = boost::add_vertex(graph);
    info.push_back(std::move(vi));
    return v;
  }

  void add_end_vertices() {
    for (int h = 0; h < topo.hosts_size(); ++h) {
      for (const Nic& nic : topo.hosts(h).nics()) {
        std::string id = nic_id(topo.hosts(h), nic);
        by_id[id] = add_vertex({ComponentKind::kNic, id, h, -1, -1, parse_bandwidth(nic.speed())});
      }
    }
    for (const Switch& sw : topo.switches()) {
      by_id[sw.name()] = add_vertex({ComponentKind::kSwitch, sw.name(), -1, -1, -1, 0});
    }
    for (int n = 0; n < topo.target_nodes_size(); ++n) {
      for (const TargetPort& port : topo.target_nodes(n).ports()) {
        std::string id = port_id(topo.target_nodes(n), port);
        by_id[id] = add_vertex({ComponentKind::kTargetPort, id, -1, n, -1, parse_bandwidth(port.speed())});
      }
    }
  }

  // A link is a vertex between its ends; each half carries half its latency so a route's
  // weight is the sum of its links' latencies.
  void add_links() {
    for (int l = 0; l < topo.links_size(); ++l) {
      const Link& link = topo.links(l);
      Vertex v = add_vertex({ComponentKind::kLink, link_name(link), -1, -1, l, parse_bandwidth(link.bandwidth())});
      link_vertex.push_back(v);
      boost::add_edge(v, by_id.at(link.a()), link.latency_us() / 2, graph);
      boost::add_edge(v, by_id.at(link.b()), link.latency_us() / 2, graph);
    }
  }

  bool failed(const VertexInfo& vi, const std::vector<Component>& failures) const {
    for (const Component& c : failures) {
      if (c.kind == vi.kind && c.id == vi.id) return true;
      if (c.kind == ComponentKind::kTargetNode && vi.kind == ComponentKind::kTargetPort &&
          topo.target_nodes(vi.node).name() == c.id) {
        return true;
      }
    }
    return false;
  }

  std::vector<Vertex> sources(const Connection& conn) const {
    std::vector<Vertex> out;
    const Host* host = find_host(topo, conn.host());
    if (!host) return out;
    for (const Nic& nic : host->nics()) {
      if (conn.host_nic().empty() || conn.host_nic() == nic.name()) out.push_back(by_id.at(nic_id(*host, nic)));
    }
    return out;
  }

  std::optional<Route> route(const Connection& conn, const std::vector<Component>& failures) const {
    auto dest_it = by_id.find(conn.port());
    if (dest_it == by_id.end()) return std::nullopt;
    Vertex dest = dest_it->second;
    std::vector<Vertex> srcs = sources(conn);
    std::vector<char> allowed(info.size(), 0);
    for (Vertex v = 0; v < info.size(); ++v) {
      bool end_device = info[v].kind == ComponentKind::kNic || info[v].kind == ComponentKind::kTargetPort;
      allowed[v] = !end_device && !failed(info[v], failures);
    }
    for (Vertex s : srcs) allowed[s] = !failed(info[s], failures);
    allowed[dest] = !failed(info[dest], failures);
    if (!allowed[dest]) return std::nullopt;

    // One search from the port reaches every candidate NIC; the nearest one is the route.
    Usable usable{&allowed};
    boost::filtered_graph<Graph, boost::keep_all, Usable> view(graph, boost::keep_all(), usable);
    std::vector<Vertex> pred(info.size());
    constexpr double kUnreached = std::numeric_limits<double>::infinity();
    std::vector<double> dist(info.size(), kUnreached);
    auto index = boost::get(boost::vertex_index, graph);
    boost::dijkstra_shortest_paths(view, dest,
                                   boost::predecessor_map(boost::make_iterator_property_map(pred.begin(), index))
                                       .distance_map(boost::make_iterator_property_map(dist.begin(), index))
                                       .distance_inf(kUnreached));
    std::optional<Vertex> best;
    for (Vertex s : srcs) {
      if (allowed[s] && dist[s] < kUnreached && (!best || dist[s] < dist[*best])) best = s;
    }
    if (!best) return std::nullopt;
    return build_route(*best, dest, pred);
  }

  Route build_route(Vertex nic, Vertex dest, const std::vector<Vertex>& pred) const {
    Route r;
    r.nic = info[nic].id;
    r.bottleneck_bps = info[nic].speed_bps;
    for (Vertex v = nic;; v = pred[v]) {
      const VertexInfo& vi = info[v];
      r.hops.push_back(vi.id);
      if (vi.kind == ComponentKind::kLink) {
        r.link_indices.push_back(vi.link);
        r.latency_us += topo.links(vi.link).latency_us();
      }
      if (vi.speed_bps > 0) r.bottleneck_bps = std::min(r.bottleneck_bps, vi.speed_bps);
      if (v == dest) break;
    }
    r.target_node = topo.target_nodes(info[dest].node).name();
    return r;
  }
};

FabricGraph::FabricGraph(const Topology& topo) : impl_(std::make_unique<Impl>(topo)) {}

FabricGraph::~FabricGraph() = default;

std::optional<Route> FabricGraph::route(const Connection& conn, const std::vector<Component>& failed) const {
  return impl_->route(conn, failed);
}

// A component off the current route cannot cut it (the route survives), so only the route's
// own components need the remove-and-search test.
std::vector<Component> FabricGraph::cut_components(const Connection& conn) const {
  std::vector<Component> out;
  auto base = route(conn);
  if (!base) return out;
  for (const Component& c : base->components()) {
    if (!route(conn, {c})) out.push_back(c);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<Route> route_for(const Topology& topo, const Connection& conn) { return FabricGraph(topo).route(conn); }

}  // namespace mpsim::topology
