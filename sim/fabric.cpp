#include "sim/fabric.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/seeds.h"
#include "topologies/topology.h"
#include "topologies/units.h"

namespace mpsim::sim {

Fabric::Fabric(const topology::Topology& topo) {
  for (int h = 0; h < topo.hosts_size(); ++h) {
    for (const auto& nic : topo.hosts(h).nics()) {
      Component c{topology::nic_id(topo.hosts(h), nic), CompKind::Nic};
      c.host = h;
      c.bps = topology::parse_bandwidth(nic.speed());
      add(c);
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
  for (int h = 0; h < topo.hosts_size(); ++h) host_index_[topo.hosts(h).name()] = h;
  graph_ = std::make_unique<topology::FabricGraph>(topo);
}

Fabric::~Fabric() = default;

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

Route Fabric::route(const topology::Connection& conn) const {
  const auto path = graph_->route(conn);
  if (!path) throw std::invalid_argument("fabric: no route from " + conn.host() + " to " + conn.port());
  Route r;
  r.host = host_index_.at(conn.host());
  r.nic_comp = *find(path->nic);
  r.port_comp = *find(conn.port());
  r.node = comps_[r.port_comp].node;
  r.node_comp = *find(path->target_node);
  r.comps.push_back(r.nic_comp);
  std::uint32_t at = r.nic_comp;
  for (int li : path->link_indices) {  // Fabric links are in Topology.links order
    const FabricLink& l = links_[std::size_t(li)];
    const std::uint32_t dir = l.end_comp[0] == at ? 0 : 1;
    r.hops.push_back(Hop{std::uint32_t(li), dir});
    at = l.end_comp[1 - dir];
    r.comps.push_back(l.comp);
    r.comps.push_back(at);
  }
  if (at != r.port_comp) throw std::logic_error("fabric: route of " + conn.host() + " does not end at " + conn.port());
  r.comps.push_back(r.node_comp);
  return r;
}

std::int64_t Fabric::send(const Route& r, bool to_target, std::uint64_t bytes, std::int64_t start) {
  std::int64_t t = start;
  const std::size_t n = r.hops.size();
  for (std::size_t i = 0; i < n; ++i) {
    const Hop& h = r.hops[to_target ? i : n - 1 - i];
    FabricLink& l = links_[h.link];
    const int dir = to_target ? h.dir : 1 - h.dir;
    t = l.busy[dir].book(t, l.serialise_ns(bytes), now_) + l.latency_ns;
  }
  return t;
}

std::int64_t Fabric::idle_transit_ns(const Route& r, std::uint64_t bytes) const {
  std::int64_t t = 0;
  for (std::size_t i = 0; i < r.hops.size(); ++i) {
    const FabricLink& l = links_[r.hops[i].link];
    t += l.serialise_ns(bytes) + l.latency_ns;
  }
  return t;
}

bool Fabric::lost(const Route& r, std::int64_t sent, bool ignore_port) const {
  if (down_now_ == 0 && last_any_down_ < sent) return false;  // nothing failed since it left
  for (std::uint32_t id : r.comps) {
    if (ignore_port && id == r.port_comp) continue;
    const Component& c = comps_[id];
    if (!c.up() || c.last_down >= sent) return true;
  }
  return false;
}

bool Fabric::lost_or_dropped(const Route& r, std::int64_t sent, std::uint32_t segments) {
  if (lost(r, sent)) return true;
  return lossy_now_ != 0 && dropped(r, segments);
}

bool Fabric::dropped(const Route& r, std::uint32_t segments) {
  if (lossy_now_ == 0) return false;
  bool any = false;
  for (std::uint32_t id : r.comps) {
    Component& c = comps_[id];
    if (c.loss <= 0) continue;
    // One uniform draw in [0, 1) from the component's own stream (SplitMix64 of seed, id, count).
    const std::uint64_t x = splitmix64(loss_seed_ ^ splitmix64(id) ^ splitmix64(0x1055 + c.loss_draws++));
    const double u = double(x >> 11) * 0x1.0p-53;
    if (u < 1.0 - std::pow(1.0 - c.loss, double(segments))) any = true;  // keep drawing: each stream advances per crossing
  }
  return any;
}

void Fabric::set_loss(std::uint32_t id, double probability) {
  Component& c = comps_[id];
  if ((c.loss > 0) != (probability > 0)) lossy_now_ += probability > 0 ? 1 : -1;
  c.loss = probability;
}

bool Fabric::route_up(const Route& r) const {
  for (std::uint32_t id : r.comps) {
    if (!comps_[id].up()) return false;
  }
  return true;
}

void Fabric::set_state(std::uint32_t id, bool up, std::int64_t now) {
  Component& c = comps_[id];
  if (c.is_up == up) return;
  if (!up) {
    c.last_down = now;
    last_any_down_ = now;
  }
  down_now_ += up ? -1 : 1;
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
