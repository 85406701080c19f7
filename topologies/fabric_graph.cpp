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

// One search from a target port over switches and links only, shared by every connection to
// that port while nothing has failed. `tied` marks a vertex reached equally well from two
// neighbours: there the predecessor depends on the search's visiting order, so a route through
// it is not taken from the tree but searched afresh (keeping routes exactly as an uncached search
// picks them).
struct PortTree {
  std::vector<double> dist;
  std::vector<Vertex> pred;
  std::vector<char> tied;
};

constexpr double kUnreached = std::numeric_limits<double>::infinity();

struct FabricGraph::Impl {
  const Topology& topo;
  Graph graph;
  std::vector<VertexInfo> info;
  std::map<std::string, Vertex> by_id;  // NIC id, port id, switch name -> vertex
  std::map<std::string, int> host_index;
  std::vector<Vertex> link_vertex;      // per link index
  mutable std::map<Vertex, PortTree> trees;  // per destination port, built on first use

  explicit Impl(const Topology& t) : topo(t) {
    add_end_vertices();
    add_links();
    for (int h = 0; h < topo.hosts_size(); ++h) host_index.emplace(topo.hosts(h).name(), h);
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
    auto h = host_index.find(conn.host());
    if (h == host_index.end()) return out;
    const Host* host = &topo.hosts(h->second);
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
    if (failures.empty()) {
      if (auto r = route_from_tree(srcs, dest)) return *r;
    }
    return search(srcs, dest, failures);
  }

  // Boost's Dijkstra relaxes with `closed_plus`: anything plus infinity stays infinity.
  static double plus(double d, double w) { return d == kUnreached ? kUnreached : d + w; }

  const PortTree& tree_for(Vertex dest) const {
    auto it = trees.find(dest);
    if (it != trees.end()) return it->second;
    std::vector<char> allowed(info.size(), 0);
    for (Vertex v = 0; v < info.size(); ++v) {
      allowed[v] = info[v].kind != ComponentKind::kNic && info[v].kind != ComponentKind::kTargetPort;
    }
    allowed[dest] = 1;
    PortTree t;
    t.pred.resize(info.size());
    t.dist.assign(info.size(), kUnreached);
    dijkstra_from(dest, allowed, t.pred, t.dist);
    t.tied.assign(info.size(), 0);
    for (Vertex v = 0; v < info.size(); ++v) {
      if (!allowed[v] || v == dest || t.dist[v] == kUnreached) continue;
      int achievers = 0;
      for (auto [e, end] = boost::out_edges(v, graph); e != end; ++e) {
        Vertex u = boost::target(*e, graph);
        if (allowed[u] && plus(t.dist[u], boost::get(boost::edge_weight, graph, *e)) == t.dist[v]) ++achievers;
      }
      t.tied[v] = achievers > 1;
    }
    return trees.emplace(dest, std::move(t)).first->second;
  }

  // The failure-free route from the port's shared tree, or nullopt when the tree cannot give
  // exactly what a fresh search would (a source NIC that could forward, or a tie on the way);
  // the caller then searches.
  std::optional<std::optional<Route>> route_from_tree(const std::vector<Vertex>& srcs, Vertex dest) const {
    const PortTree& t = tree_for(dest);
    std::vector<std::pair<Vertex, double>> reach;  // (NIC, distance) via its only link
    for (Vertex s : srcs) {
      if (boost::out_degree(s, graph) != 1) return std::nullopt;
      auto e = *boost::out_edges(s, graph).first;
      reach.emplace_back(s, plus(t.dist[boost::target(e, graph)], boost::get(boost::edge_weight, graph, e)));
    }
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < reach.size(); ++i) {
      if (reach[i].second < kUnreached && (!best || reach[i].second < reach[*best].second)) best = i;
    }
    if (!best) return std::optional<Route>{};
    const Vertex nic = reach[*best].first;
    const Vertex link = boost::target(*boost::out_edges(nic, graph).first, graph);
    for (Vertex v = link; v != dest; v = t.pred[v]) {
      if (t.tied[v]) return std::nullopt;
    }
    return std::optional<Route>{build_route(nic, link, dest, t.pred)};
  }

  void dijkstra_from(Vertex dest, const std::vector<char>& allowed, std::vector<Vertex>& pred,
                     std::vector<double>& dist) const {
    Usable usable{&allowed};
    boost::filtered_graph<Graph, boost::keep_all, Usable> view(graph, boost::keep_all(), usable);
    auto index = boost::get(boost::vertex_index, graph);
    boost::dijkstra_shortest_paths(view, dest,
                                   boost::predecessor_map(boost::make_iterator_property_map(pred.begin(), index))
                                       .distance_map(boost::make_iterator_property_map(dist.begin(), index))
                                       .distance_inf(kUnreached));
  }

  std::optional<Route> search(const std::vector<Vertex>& srcs, Vertex dest,
                              const std::vector<Component>& failures) const {
    std::vector<char> allowed(info.size(), 0);
    for (Vertex v = 0; v < info.size(); ++v) {
      bool end_device = info[v].kind == ComponentKind::kNic || info[v].kind == ComponentKind::kTargetPort;
      allowed[v] = !end_device && !failed(info[v], failures);
    }
    for (Vertex s : srcs) allowed[s] = !failed(info[s], failures);
    allowed[dest] = !failed(info[dest], failures);
    if (!allowed[dest]) return std::nullopt;

    // One search from the port reaches every candidate NIC; the nearest one is the route.
    std::vector<Vertex> pred(info.size());
    std::vector<double> dist(info.size(), kUnreached);
    dijkstra_from(dest, allowed, pred, dist);
    std::optional<Vertex> best;
    for (Vertex s : srcs) {
      if (allowed[s] && dist[s] < kUnreached && (!best || dist[s] < dist[*best])) best = s;
    }
    if (!best) return std::nullopt;
    return build_route(*best, pred[*best], dest, pred);
  }

  // nic, then first_hop, then along pred to dest.
  Route build_route(Vertex nic, Vertex first_hop, Vertex dest, const std::vector<Vertex>& pred) const {
    Route r;
    r.nic = info[nic].id;
    r.bottleneck_bps = info[nic].speed_bps;
    for (Vertex v = nic;; v = v == nic ? first_hop : pred[v]) {
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
