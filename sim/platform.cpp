#include "sim/platform.h"

#include <simgrid/s4u.hpp>
#include <xbt/log.h>

#include <stdexcept>

namespace sg4 = simgrid::s4u;

namespace mpsim::sim {

Platform* Platform::active_ = nullptr;

namespace {

// SimGrid allows one configuration per process; later engines inherit it.
void configure_once(sg4::Engine& e) {
  static bool done = false;
  if (done) return;
  done = true;
  xbt_log_control_set("root.thresh:critical");
  // CM02 without TCP factors: plain latency + size / bandwidth. The LV08 default would
  // multiply every link latency by 13.01 (reference/simgrid-notes.md).
  e.set_config("network/model:CM02");
  e.set_config("network/crosstraffic:0");
}

}  // namespace

Platform::Platform(const topology::Topology& topo, const Fabric& fabric, PlatformListener& listener)
    : fabric_(fabric), listener_(listener) {
  if (active_) throw std::logic_error("Platform: only one simulation may run at a time");
  static int argc = 1;
  static char name[] = "mpsim";
  static char* argv[] = {name, nullptr};
  engine_ = new sg4::Engine(&argc, argv);
  configure_once(*engine_);
  install_callbacks();
  active_ = this;
  clock_base_ = sg4::Engine::get_clock();
  build(topo);
}

Platform::~Platform() {
  active_ = nullptr;
  delete engine_;
}

void Platform::install_callbacks() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  sg4::Link::on_state_change_cb([](const sg4::Link& l) {
    if (active_) active_->report(l.get_name(), l.is_on());
  });
  sg4::Link::on_bandwidth_change_cb([](const sg4::Link& l) {
    if (active_) active_->report_rate(l.get_name(), l.get_bandwidth(), l.get_latency());
  });
  sg4::Host::on_state_change_cb([](const sg4::Host& h) {
    if (active_) active_->report(h.get_name(), h.is_on());
  });
}

void Platform::report(const std::string& name, bool up) {
  if (auto id = fabric_.find(name)) listener_.on_component_state(*id, up);
}

void Platform::report_rate(const std::string& name, double bytes_per_s, double latency_s) {
  if (auto id = fabric_.find(name)) listener_.on_component_rate(*id, bytes_per_s * 8, latency_s * 1e9);
}

void Platform::build(const topology::Topology& topo) {
  // Dijkstra (lazy) rather than Floyd: routes are computed only on demand, so large fabrics
  // cost nothing at seal time; the data path takes its routes from Fabric::route.
  auto* zone = sg4::create_dijkstra_zone("fabric", true);
  control_ = zone->create_host("mpsim-control", 1e9);
  link_of_comp_.assign(fabric_.size(), nullptr);
  host_of_comp_.assign(fabric_.size(), nullptr);
  std::map<std::uint32_t, simgrid::kernel::routing::NetPoint*> point;  // comp -> netpoint
  auto add_link = [&](std::uint32_t comp, double latency_ns) {
    const Component& c = fabric_.comp(comp);
    sg4::Link* l = zone->create_link(c.name, c.bps / 8)->set_latency(latency_ns * 1e-9)->seal();
    link_of_comp_[comp] = l;
    return l;
  };
  for (const auto& host : topo.hosts()) {
    sg4::Host* h = zone->create_host(host.name(), 1e9);
    for (const auto& nic : host.nics()) {
      const std::uint32_t comp = *fabric_.find(host.name() + "." + nic.name());
      point[comp] = zone->create_router(host.name() + "." + nic.name() + "#router");
      zone->add_route(h->get_netpoint(), point[comp], nullptr, nullptr, {sg4::LinkInRoute(add_link(comp, 0))}, true);
    }
  }
  for (const auto& sw : topo.switches()) point[*fabric_.find(sw.name())] = zone->create_router(sw.name());
  for (const auto& node : topo.target_nodes()) {
    const std::uint32_t node_comp = *fabric_.find(node.name());
    sg4::Host* h = zone->create_host(node.name(), 1e9)->set_core_count(node.cpus());
    host_of_comp_[node_comp] = h;
    for (const auto& port : node.ports()) {
      const std::uint32_t comp = *fabric_.find(node.name() + "." + port.name());
      point[comp] = zone->create_router(node.name() + "." + port.name() + "#router");
      zone->add_route(point[comp], h->get_netpoint(), nullptr, nullptr, {sg4::LinkInRoute(add_link(comp, 0))}, true);
    }
  }
  for (const FabricLink& fl : fabric_.links()) {
    sg4::Link* l = add_link(fl.comp, fabric_.comp(fl.comp).latency_ns);
    zone->add_route(point[fl.end_comp[0]], point[fl.end_comp[1]], nullptr, nullptr, {sg4::LinkInRoute(l)}, true);
  }
  zone->seal();
}

void Platform::run() { engine_->run(); }

void Platform::turn_off(std::uint32_t comp) {
  if (link_of_comp_[comp]) return link_of_comp_[comp]->turn_off();
  if (host_of_comp_[comp]) return host_of_comp_[comp]->turn_off();
  listener_.on_component_state(comp, false);  // a switch is a router: no SimGrid resource
}

void Platform::turn_on(std::uint32_t comp) {
  if (link_of_comp_[comp]) return link_of_comp_[comp]->turn_on();
  if (host_of_comp_[comp]) return host_of_comp_[comp]->turn_on();
  listener_.on_component_state(comp, true);
}

void Platform::set_rate(std::uint32_t comp, double bps, double latency_ns) {
  sg4::Link* l = link_of_comp_[comp];
  if (!l) throw std::invalid_argument("gray failure: \"" + fabric_.comp(comp).name + "\" is not a NIC, port or link");
  l->set_latency(latency_ns * 1e-9);
  l->set_bandwidth(bps / 8);  // fires on_bandwidth_change: the listener reads both back
}

}  // namespace mpsim::sim
