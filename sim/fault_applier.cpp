#include "sim/fault_applier.h"

#include <algorithm>
#include <cassert>
#include <stdexcept>

#include "sim/seeds.h"
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
  fabric.set_loss_seed(splitmix64(s.seed ^ 0x6c6f7373ull));  // "loss": each lossy component's draws
  transport.set_metrics(&metrics);
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
  // The experiments loader checked what each kind may target.
  [[maybe_unused]] const CompKind kind = fabric_.comp(*id).kind;
  assert(!std::holds_alternative<faults::AnaChange>(f.kind) || kind == CompKind::Port);
  assert(!std::holds_alternative<faults::Gray>(f.kind) || (kind != CompKind::Switch && kind != CompKind::Node));
  assert(!std::holds_alternative<faults::Loss>(f.kind) || kind == CompKind::Link);
  return *id;
}

std::vector<std::uint32_t> FaultApplier::conns_affected(const FaultSpec& f) const {
  std::vector<std::uint32_t> out;
  if (std::holds_alternative<faults::ControllerReset>(f.kind)) {
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

void FaultApplier::apply(const FaultAction& a) {
  const FaultSpec& f = s_.faults[a.fault];
  std::visit(Overloaded{
                 [&](const fault_ops::Down& down) {
                   const std::uint32_t comp = fault_comp(f);
                   metrics_.event(sched_.now(), "fault", f.target, f.label + ": down");
                   if (fabric_.hold(comp)) platform_.turn_off(comp);
                   apply_down(f, comp, down.detection);
                 },
                 [&](const fault_ops::Up&) {
                   const std::uint32_t comp = fault_comp(f);
                   metrics_.event(sched_.now(), "fault-end", f.target, f.label + ": up");
                   if (fabric_.release(comp)) platform_.turn_on(comp);
                 },
                 [&](const fault_ops::AnaSet& ana) { apply_ana(ana, f); },
                 [&](const fault_ops::GrayOn& gray) { apply_gray(f, gray); },
                 [&](const fault_ops::GrayOff&) { apply_gray(f, std::nullopt); },
                 [&](const fault_ops::LossOn& loss) {
                   metrics_.event(sched_.now(), "fault", f.target, f.label + ": loss " + std::to_string(loss.probability));
                   fabric_.set_loss(fault_comp(f), loss.probability);
                 },
                 [&](const fault_ops::LossOff&) {
                   metrics_.event(sched_.now(), "fault-end", f.target, f.label + ": loss ends");
                   fabric_.set_loss(fault_comp(f), 0);
                 },
                 [&](const fault_ops::Reset& reset) { apply_reset(f, reset.side); },
             },
             a.op);
}

// Host side: nvme_reset_ctrl, the controller tears down and connects again at once. Target
// side: nvmet_ctrl_fatal_error -> nvmet_tcp_delete_ctrl shuts the controller's sockets down;
// the target forgets it and the FIN reaches the host one crossing later, where it starts error
// recovery (reconnect after reconnect_delay). Answers to commands still at the target leave
// after the FIN, so they find the host's queue already torn down: those commands fail over.
void FaultApplier::apply_reset(const FaultSpec& f, ResetSide side) {
  const bool target = side == ResetSide::Target;
  metrics_.event(sched_.now(), "fault", f.target,
                 f.label + (target ? ": target controller fatal error" : ": host controller reset"));
  for (std::uint32_t conn : conns_affected(f)) {
    Conn& c = transport_.conn(conn);
    if (!target) {
      c.ctrl->reset();
    } else if (transport_.target_knows(c)) {  // no controller at the target (not connected): nothing to fail
      target_.forget(c.target_ctrl);
      transport_.target_closed(conn);
      transport_.send_reset(conn);
    }
  }
}

// Who hears of a component going down, and when.
void FaultApplier::apply_down(const FaultSpec& f, std::uint32_t comp, Detection detection) {
  const CompKind kind = fabric_.comp(comp).kind;
  if (kind == CompKind::Port)
    target_.set_refuses_while_down(*target_.find_port(fabric_.comp(comp).name), detection == Detection::Immediate);
  std::vector<signed char> at_once(static_cast<std::size_t>(s_.topology.hosts_size()), -1);  // per host, asked once
  for (std::uint32_t conn : conns_affected(f)) {
    Conn& c = transport_.conn(conn);
    signed char& immediate = at_once[c.host];
    if (immediate < 0) immediate = noticed_at_once(detection, s_.topology, f.target, s_.topology.hosts(c.host).name()) ? 1 : 0;
    if (immediate == 0) continue;  // silent: only keep-alive or the I/O timeout will notice
    if (kind == CompKind::Port || kind == CompKind::Node) {  // the target closed it
      target_.forget(c.target_ctrl);
      transport_.target_closed(conn);
    }
    // Carrier loss, or the target's FIN/RST: the connection's socket errors out now.
    transport_.socket_error_now(conn);
  }
}

void FaultApplier::apply_ana(const fault_ops::AnaSet& a, const FaultSpec& f) {
  const std::uint32_t port = *target_.find_port(fabric_.comp(fault_comp(f)).name);
  const topology::AnaState state = a.restore ? target_.initial_ana(port, a.grpid) : a.state;
  target_.set_ana(port, a.grpid, state);
  metrics_.event(sched_.now(), a.restore ? "fault-end" : "fault", f.target,
                 f.label + ": grp " + std::to_string(a.grpid) + " " + topology::ana_state_name(state));
  transport_.send_aens(port);
}

void FaultApplier::apply_gray(const FaultSpec& f, const std::optional<fault_ops::GrayOn>& on) {
  const std::uint32_t comp = fault_comp(f);
  const auto [bps, latency] = nominal_[comp];
  metrics_.event(sched_.now(), on ? "fault" : "fault-end", f.target, f.label + (on ? ": gray" : ": gray ends"));
  if (on) return platform_.set_rate(comp, bps / on->bandwidth_divisor, latency * on->latency_factor);
  platform_.set_rate(comp, bps, latency);
}

}  // namespace mpsim::sim
