#include "sim/fault_applier.h"

#include <algorithm>
#include <stdexcept>

#include "topologies/topology.h"

namespace mpsim::sim {

namespace {

bool route_uses(const Route& r, std::uint32_t comp) {
  return std::find(r.comps.begin(), r.comps.end(), comp) != r.comps.end();
}

}  // namespace

FaultApplier::FaultApplier(const Scenario& s, std::int64_t end, const Scheduler& sched, Fabric& fabric,
                           Platform& platform, TargetModel& target, Transport& transport, Metrics& metrics,
                           std::size_t hosts)
    : s_(s), sched_(sched), fabric_(fabric), platform_(platform), target_(target), transport_(transport),
      metrics_(metrics) {
  for (std::uint32_t c = 0; c < fabric.size(); ++c) nominal_.emplace_back(fabric.comp(c).bps, fabric.comp(c).latency_ns);
  for (const auto& f : s.faults) {
    FaultTrack t;
    t.label = f.label;
    t.at = f.at.count();
    t.end = fault_window_end(f, end);
    t.last_completion = t.at;
    t.hosts.assign(hosts, false);
    t.conns.assign(transport.size(), false);
    for (std::uint32_t c : conns_affected(f)) {
      t.conns[c] = true;
      t.hosts[transport.conn(c).host] = true;
    }
    metrics.add_fault(std::move(t));
  }
}

std::uint32_t FaultApplier::fault_comp(const FaultSpec& f) const {
  auto id = fabric_.find(f.target);
  if (!id) throw std::invalid_argument("fault \"" + f.label + "\": unknown component \"" + f.target + "\"");
  const CompKind kind = fabric_.comp(*id).kind;
  if (f.kind == FaultKind::AnaChange && kind != CompKind::Port)
    throw std::invalid_argument("fault \"" + f.label + "\": an ANA change targets a port \"<node>.<port>\"");
  if (f.kind == FaultKind::Gray && (kind == CompKind::Switch || kind == CompKind::Node))
    throw std::invalid_argument("fault \"" + f.label + "\": a gray failure targets a link, NIC or port");
  return *id;
}

std::vector<std::uint32_t> FaultApplier::conns_affected(const FaultSpec& f) const {
  std::vector<std::uint32_t> out;
  if (f.kind == FaultKind::ControllerReset) {
    for (std::uint32_t c = 0; c < transport_.size(); ++c) {
      if (transport_.conn(c).name == f.target) out.push_back(c);
    }
    if (out.empty()) throw std::invalid_argument("fault \"" + f.label + "\": unknown controller \"" + f.target + "\"");
    return out;
  }
  const std::uint32_t comp = fault_comp(f);
  for (std::uint32_t c = 0; c < transport_.size(); ++c) {
    if (route_uses(transport_.conn(c).route, comp)) out.push_back(c);
  }
  return out;
}

// The host's own NIC, or the cable plugged into it: the kernel sees carrier loss at once.
bool FaultApplier::is_local(std::uint32_t comp, const Conn& c) const {
  if (comp == c.route.nic_comp) return true;
  if (fabric_.comp(comp).kind != CompKind::Link) return false;
  for (const auto& fl : fabric_.links()) {
    if (fl.comp == comp) return fl.end_comp[0] == c.route.nic_comp || fl.end_comp[1] == c.route.nic_comp;
  }
  return false;
}

void FaultApplier::apply(const FaultAction& a) {
  const FaultSpec& f = s_.faults[a.fault];
  switch (a.op) {
    case FaultOp::Down: {
      const std::uint32_t comp = fault_comp(f);
      metrics_.event(sched_.now(), "fault", f.target, f.label + ": down");
      if (fabric_.hold(comp)) platform_.turn_off(comp);
      return apply_down(f, comp);
    }
    case FaultOp::Up: {
      const std::uint32_t comp = fault_comp(f);
      metrics_.event(sched_.now(), "fault-end", f.target, f.label + ": up");
      if (fabric_.release(comp)) platform_.turn_on(comp);
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
void FaultApplier::apply_reset(const FaultSpec& f) {
  const bool target = f.reset_side == ResetSide::Target;
  metrics_.event(sched_.now(), "fault", f.target,
                 f.label + (target ? ": target controller fatal error" : ": host controller reset"));
  for (std::uint32_t conn : conns_affected(f)) {
    Conn& c = transport_.conn(conn);
    if (!target) {
      c.ctrl->reset();
    } else if (transport_.target_knows(c)) {  // no controller at the target (not connected): nothing to fail
      target_.forget(c.target_ctrl);
      transport_.send_reset(conn);
    }
  }
}

// Who hears of a component going down, and when.
void FaultApplier::apply_down(const FaultSpec& f, std::uint32_t comp) {
  const CompKind kind = fabric_.comp(comp).kind;
  if (kind == CompKind::Port)
    target_.set_refuses_while_down(*target_.find_port(fabric_.comp(comp).name), f.detection == Detection::Immediate);
  for (std::uint32_t conn : conns_affected(f)) {
    Conn& c = transport_.conn(conn);
    const bool immediate =
        f.detection == Detection::Immediate || (f.detection == Detection::Auto && is_local(comp, c));
    if (!immediate) continue;  // silent: only keep-alive or the I/O timeout will notice
    if (kind == CompKind::Port || kind == CompKind::Node) target_.forget(c.target_ctrl);  // the target closed it
    // Carrier loss, or the target's FIN/RST: the connection's socket errors out now.
    transport_.socket_error_now(conn);
  }
}

void FaultApplier::apply_ana(const FaultAction& a, const FaultSpec& f) {
  const std::uint32_t port = *target_.find_port(fabric_.comp(fault_comp(f)).name);
  const topology::AnaState state = a.restore ? target_.initial_ana(port, f.grpid) : a.ana_state;
  target_.set_ana(port, f.grpid, state);
  metrics_.event(sched_.now(), a.restore ? "fault-end" : "fault", f.target,
                 f.label + ": grp " + std::to_string(f.grpid) + " " + topology::ana_state_name(state));
  transport_.send_aens(port);
}

void FaultApplier::apply_gray(const FaultSpec& f, bool on) {
  const std::uint32_t comp = fault_comp(f);
  const auto [bps, latency] = nominal_[comp];
  metrics_.event(sched_.now(), on ? "fault" : "fault-end", f.target, f.label + (on ? ": gray" : ": gray ends"));
  if (on) return platform_.set_rate(comp, bps / f.bandwidth_divisor, latency * f.latency_factor);
  platform_.set_rate(comp, bps, latency);
}

}  // namespace mpsim::sim
