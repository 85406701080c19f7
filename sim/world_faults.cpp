// Fault actions, applied by the fault-scheduler actor at their virtual times. Resources are
// switched on SimGrid (the data path hears of it through the platform callbacks); who notices
// and how follows what a Linux host would see (sim/README.md, "How faults are detected").
#include <algorithm>
#include <stdexcept>

#include "sim/world.h"
#include "topologies/topology.h"

namespace mpsim::sim {

namespace {

bool route_uses(const Route& r, std::uint32_t comp) {
  return std::find(r.comps.begin(), r.comps.end(), comp) != r.comps.end();
}

}  // namespace

std::uint32_t World::fault_comp(const FaultSpec& f) const {
  auto id = fabric_.find(f.target);
  if (!id) throw std::invalid_argument("fault \"" + f.label + "\": unknown component \"" + f.target + "\"");
  const CompKind kind = fabric_.comp(*id).kind;
  if (f.kind == FaultKind::AnaChange && kind != CompKind::Port)
    throw std::invalid_argument("fault \"" + f.label + "\": an ANA change targets a port \"<node>.<port>\"");
  if (f.kind == FaultKind::Gray && (kind == CompKind::Switch || kind == CompKind::Node))
    throw std::invalid_argument("fault \"" + f.label + "\": a gray failure targets a link, NIC or port");
  return *id;
}

std::vector<std::uint32_t> World::conns_affected(const FaultSpec& f) const {
  std::vector<std::uint32_t> out;
  if (f.kind == FaultKind::ControllerReset) {
    for (std::uint32_t c = 0; c < conns_.size(); ++c) {
      if (conns_[c].name == f.target) out.push_back(c);
    }
    if (out.empty()) throw std::invalid_argument("fault \"" + f.label + "\": unknown controller \"" + f.target + "\"");
    return out;
  }
  const std::uint32_t comp = fault_comp(f);
  for (std::uint32_t c = 0; c < conns_.size(); ++c) {
    if (route_uses(conns_[c].route, comp)) out.push_back(c);
  }
  return out;
}

void World::build_fault_tracks() {
  std::vector<std::string> names;
  for (const auto& c : conns_) names.push_back(c.name);
  std::int64_t from = end_, to = 0;
  for (const auto& j : jobs_) {
    from = std::min(from, j.measure_from);
    to = std::max(to, j.end);
  }
  metrics_ = std::make_unique<Metrics>(hosts_.size(), conns_.size(), s_.timeline_interval.count(), from, to, names);
  for (const auto& f : s_.faults) {
    FaultTrack t;
    t.label = f.label;
    t.at = f.at.count();
    t.end = fault_window_end(f, end_);
    t.last_completion = t.at;
    t.hosts.assign(hosts_.size(), false);
    t.conns.assign(conns_.size(), false);
    for (std::uint32_t c : conns_affected(f)) {
      t.conns[c] = true;
      t.hosts[conns_[c].host] = true;
    }
    metrics_->add_fault(std::move(t));
  }
}

// The host's own NIC, or the cable plugged into it: the kernel sees carrier loss at once.
bool World::is_local(std::uint32_t comp, const Conn& c) const {
  if (comp == c.route.nic_comp) return true;
  if (fabric_.comp(comp).kind != CompKind::Link) return false;
  for (const auto& fl : fabric_.links()) {
    if (fl.comp == comp) return fl.end_comp[0] == c.route.nic_comp || fl.end_comp[1] == c.route.nic_comp;
  }
  return false;
}

void World::apply(const FaultAction& a) {
  const FaultSpec& f = s_.faults[a.fault];
  switch (a.op) {
    case FaultOp::Down: {
      const std::uint32_t comp = fault_comp(f);
      metrics_->event(now_, "fault", f.target, f.label + ": down");
      if (fabric_.hold(comp)) platform_->turn_off(comp);
      return apply_down(f, comp);
    }
    case FaultOp::Up: {
      const std::uint32_t comp = fault_comp(f);
      metrics_->event(now_, "fault-end", f.target, f.label + ": up");
      if (fabric_.release(comp)) platform_->turn_on(comp);
      return;
    }
    case FaultOp::AnaSet: return apply_ana(a, f);
    case FaultOp::GrayOn: return apply_gray(f, true);
    case FaultOp::GrayOff: return apply_gray(f, false);
    case FaultOp::Reset: return apply_reset(f);
  }
}

// Host side: nvme_reset_ctrl, the controller tears down and connects again at once. Target
// side: nvmet_ctrl_fatal_error -> nvmet_tcp_delete_ctrl shuts the controller's sockets down;
// the target forgets it and the FIN reaches the host one crossing later, where it starts error
// recovery (reconnect after reconnect_delay). Answers to commands still at the target leave
// after the FIN, so they find the host's queue already torn down: those commands fail over.
void World::apply_reset(const FaultSpec& f) {
  const bool target = f.reset_side == ResetSide::Target;
  metrics_->event(now_, "fault", f.target, f.label + (target ? ": target controller fatal error" : ": host controller reset"));
  for (std::uint32_t conn : conns_affected(f)) {
    Conn& c = conns_[conn];
    if (!target) {
      c.ctrl->reset();
    } else if (target_knows(c)) {  // no controller at the target (not connected): nothing to fail
      c.target_epoch = 0;
      send_reset(conn);
    }
  }
}

// Who hears of a component going down, and when.
void World::apply_down(const FaultSpec& f, std::uint32_t comp) {
  const CompKind kind = fabric_.comp(comp).kind;
  if (kind == CompKind::Port) ports_[port_of_comp_.at(comp)].refuses_while_down = f.detection == Detection::Immediate;
  for (std::uint32_t conn : conns_affected(f)) {
    Conn& c = conns_[conn];
    const bool immediate =
        f.detection == Detection::Immediate || (f.detection == Detection::Auto && is_local(comp, c));
    if (!immediate) continue;  // silent: only keep-alive or the I/O timeout will notice
    if (kind == CompKind::Port || kind == CompKind::Node) c.target_epoch = 0;  // the target closed it
    // Carrier loss, or the target's FIN/RST: the connection's socket errors out now.
    cal_.push(now_, EventKind::Reset, conn, c.epoch);
  }
}

void World::apply_ana(const FaultAction& a, const FaultSpec& f) {
  const std::uint32_t port = port_of_comp_.at(fault_comp(f));
  PortState& p = ports_[port];
  topology::AnaState state = a.ana_state;
  if (a.restore) {
    state = topology::INACCESSIBLE;
    for (const auto& [g, st] : p.initial) {
      if (g == f.grpid) state = st;
    }
  }
  bool found = false;
  for (auto& [g, st] : p.ana) {
    if (g == f.grpid) {
      st = state;
      found = true;
    }
  }
  if (!found) p.ana.emplace_back(f.grpid, state);
  metrics_->event(now_, a.restore ? "fault-end" : "fault", f.target,
                  f.label + ": grp " + std::to_string(f.grpid) + " " + topology::ana_state_name(state));
  send_aens(port);
}

void World::apply_gray(const FaultSpec& f, bool on) {
  const std::uint32_t comp = fault_comp(f);
  const auto [bps, latency] = nominal_[comp];
  metrics_->event(now_, on ? "fault" : "fault-end", f.target, f.label + (on ? ": gray" : ": gray ends"));
  if (on) return platform_->set_rate(comp, bps / f.bandwidth_divisor, latency * f.latency_factor);
  platform_->set_rate(comp, bps, latency);
}

}  // namespace mpsim::sim
