#include "sim/fabric.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <stdexcept>

#include "topologies/topology.h"
#include "topologies/units.h"

namespace mpsim::sim {

Fabric::Fabric(const topology::Topology& topo) {
  for (int h = 0; h < topo.hosts_size(); ++h) {
    for (const auto& nic : topo.hosts(h).nics()) {
      Component c{topology::nic_id(topo.hosts(h), nic), CompKind::Nic};
      c.host = h;
      c.bps = topology::parse_bandwidth(nic.speed());
      if (nics_of_host_.size() <= std::size_t(h)) nics_of_host_.resize(h + 1);
      nics_of_host_[h].push_back(add(c));
    }
  }
  for (const auto& sw : topo.switches()) add(Component{sw.name(), CompKind::Switch});
  for (int n = 0; n < topo.target_nodes_size(); ++n) {
    const auto& node = topo.target_nodes(n);
    Component nc{node.name(), CompKind::Node};
    nc.node = n;
    add(nc);
    for (const auto& port : node.ports()) {
      Component c{topology::port_id(node, port), CompKind::Port};
      c.node = n;
      c.bps = topology::parse_bandwidth(port.speed());
      add(c);
    }
  }
  adj_.resize(comps_.size());
  for (const auto& l : topo.links()) add_link(l, topo);
}

std::uint32_t Fabric::add(Component c) {
  const auto id = static_cast<std::uint32_t>(comps_.size());
  if (!by_name_.emplace(c.name, id).second)
    throw std::invalid_argument("fabric: duplicate component name \"" + c.name + "\"");
  comps_.push_back(std::move(c));
  link_of_comp_.push_back(-1);
  return id;
}

void Fabric::add_link(const topology::Link& l, const topology::Topology& /*topo*/) {
  FabricLink fl{};
  for (int end = 0; end < 2; ++end) {
    const std::string& name = end == 0 ? l.a() : l.b();
    auto id = find(name);
    if (!id || comps_[*id].kind == CompKind::Node || comps_[*id].kind == CompKind::Link)
      throw std::invalid_argument("fabric: link end \"" + name + "\" is not a NIC, switch or port");
    fl.end_comp[end] = *id;
  }
  Component c{topology::link_name(l), CompKind::Link};
  c.bps = topology::parse_bandwidth(l.bandwidth());
  c.latency_ns = l.latency_us() * 1000.0;
  fl.comp = add(c);
  const auto index = static_cast<std::uint32_t>(links_.size());
  link_of_comp_[fl.comp] = static_cast<std::int32_t>(index);
  adj_.resize(comps_.size());
  adj_[fl.end_comp[0]].push_back(index);
  adj_[fl.end_comp[1]].push_back(index);
  links_.push_back(fl);
  refresh_link(links_.back());
}

// A hop is as fast as the slowest of the cable and the NIC/port at its ends.
void Fabric::refresh_link(FabricLink& l) {
  double bps = comps_[l.comp].bps;
  for (auto end : l.end_comp) {
    if (comps_[end].bps > 0) bps = std::min(bps, comps_[end].bps);
  }
  l.ps_per_byte = std::llround(8e12 / bps);
  l.latency_ns = std::llround(comps_[l.comp].latency_ns);
}

std::optional<std::uint32_t> Fabric::find(const std::string& name) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::uint32_t> Fabric::links_of(std::uint32_t end_comp) const {
  return end_comp < adj_.size() ? adj_[end_comp] : std::vector<std::uint32_t>{};
}

// Breadth-first over switches only (NICs and ports are leaves): the link used to reach each
// component from `start`. Connections come grouped by host, so the last tree is kept.
const std::vector<std::int64_t>& Fabric::tree_from(std::uint32_t start) const {
  if (tree_start_ == start) return tree_;
  tree_start_ = start;
  tree_.assign(comps_.size(), -1);
  std::vector<bool> seen(comps_.size(), false);
  std::deque<std::uint32_t> todo{start};
  seen[start] = true;
  while (!todo.empty()) {
    const std::uint32_t at = todo.front();
    todo.pop_front();
    if (at != start && comps_[at].kind != CompKind::Switch) continue;
    for (std::uint32_t li : adj_[at]) {
      const FabricLink& l = links_[li];
      const std::uint32_t next = l.end_comp[0] == at ? l.end_comp[1] : l.end_comp[0];
      if (seen[next]) continue;
      seen[next] = true;
      tree_[next] = li;
      todo.push_back(next);
    }
  }
  return tree_;
}

Route Fabric::route(int host, const std::string& nic, const std::string& port_id) const {
  auto port = find(port_id);
  if (!port || comps_[*port].kind != CompKind::Port)
    throw std::invalid_argument("fabric: unknown target port \"" + port_id + "\"");
  std::optional<Route> best;
  static const std::vector<std::uint32_t> kNone;
  for (std::uint32_t start : std::size_t(host) < nics_of_host_.size() ? nics_of_host_[host] : kNone) {
    const Component& c = comps_[start];
    if (!nic.empty() && c.name.substr(c.name.find('.') + 1) != nic) continue;
    const auto& via = tree_from(start);
    if (via[*port] < 0) continue;
    Route r;
    r.host = host;
    r.nic_comp = start;
    r.port_comp = *port;
    r.node = comps_[*port].node;
    for (std::uint32_t at = *port; at != start;) {
      const FabricLink& l = links_[via[at]];
      const std::uint32_t prev = l.end_comp[0] == at ? l.end_comp[1] : l.end_comp[0];
      r.hops.push_back(Hop{static_cast<std::uint32_t>(via[at]), std::uint8_t(l.end_comp[0] == prev ? 0 : 1)});
      at = prev;
    }
    std::reverse(r.hops.begin(), r.hops.end());
    if (best && best->hops.size() <= r.hops.size()) continue;
    r.comps.push_back(start);
    for (const Hop& h : r.hops) {
      r.comps.push_back(links_[h.link].comp);
      r.comps.push_back(links_[h.link].end_comp[1 - h.dir]);
    }
    const std::string& port_name = comps_[*port].name;
    r.node_comp = *find(port_name.substr(0, port_name.find('.')));
    r.comps.push_back(r.node_comp);
    best = std::move(r);
  }
  if (!best) throw std::invalid_argument("fabric: no route from host #" + std::to_string(host) +
                                         (nic.empty() ? "" : " NIC \"" + nic + "\"") + " to \"" + port_id + "\"");
  return *best;
}

std::int64_t Fabric::send(const Route& r, bool to_target, std::uint64_t bytes, std::int64_t start) {
  std::int64_t t = start;
  const std::size_t n = r.hops.size();
  for (std::size_t i = 0; i < n; ++i) {
    const Hop& h = r.hops[to_target ? i : n - 1 - i];
    FabricLink& l = links_[h.link];
    const int dir = to_target ? h.dir : 1 - h.dir;
    const std::int64_t begin = std::max(t, l.busy_until[dir]);
    l.busy_until[dir] = begin + l.serialise_ns(bytes);
    t = l.busy_until[dir] + l.latency_ns;
  }
  return t;
}

std::int64_t Fabric::idle_transit_ns(const Route& r, std::uint64_t bytes) const {
  std::int64_t t = 0;
  for (const Hop& h : r.hops) {
    const FabricLink& l = links_[h.link];
    t += l.serialise_ns(bytes) + l.latency_ns;
  }
  return t;
}

bool Fabric::lost(const Route& r, std::int64_t sent, bool ignore_port) const {
  for (std::uint32_t id : r.comps) {
    if (ignore_port && id == r.port_comp) continue;
    const Component& c = comps_[id];
    if (!c.up() || c.last_down >= sent) return true;
  }
  return false;
}

bool Fabric::route_up(const Route& r) const {
  for (std::uint32_t id : r.comps) {
    if (!comps_[id].up()) return false;
  }
  return true;
}

void Fabric::set_state(std::uint32_t id, bool up, std::int64_t now) {
  Component& c = comps_[id];
  if (c.is_up && !up) c.last_down = now;
  c.is_up = up;
}

void Fabric::set_rate(std::uint32_t id, double bps, double latency_ns) {
  comps_[id].bps = bps;
  comps_[id].latency_ns = latency_ns;
  if (link_of_comp_[id] >= 0) {
    refresh_link(links_[link_of_comp_[id]]);
    return;
  }
  for (std::uint32_t li : links_of(id)) refresh_link(links_[li]);
}

}  // namespace mpsim::sim
