// The emulator's side of the fault contract (sim/fault_plan.h): which ports a fault acts on,
// and each timed action applied to the sockets and the LiveTarget at its wall-clock time.
#include <limits>
#include <stdexcept>

#include "sim/live/emulator.h"
#include "sim/live/emulator_state.h"
#include "topologies/topology.h"

namespace mpsim::live {

namespace {

// The ports a fault target names: a port, a target node (all its ports), a link plugged into a
// port, or a controller "<host>/<node>.<port>" (its port). Empty for anything else.
std::vector<std::uint32_t> ports_of(const std::vector<LivePort>& ports, const topology::Topology& topo,
                                    const std::string& target) {
  std::vector<std::uint32_t> out;
  std::string name = target;
  if (auto slash = name.find('/'); slash != std::string::npos) name = name.substr(slash + 1);
  for (const auto& link : topo.links()) {
    if (topology::link_name(link) != target) continue;
    if (topology::find_port(topo, link.a())) name = link.a();
    else if (topology::find_port(topo, link.b())) name = link.b();
  }
  for (std::uint32_t p = 0; p < ports.size(); ++p) {
    const std::string& id = ports[p].name;
    if (id == name || id.rfind(name + ".", 0) == 0) out.push_back(p);
  }
  return out;
}

}  // namespace

Emulator::Emulator(const sim::Scenario& scenario, EmulatorOptions options, std::ostream& log)
    : scenario_(scenario), options_(std::move(options)), log_(log), events_(options_.events_csv, log),
      transport_(scenario.models.transport), loss_rng_(scenario.seed ^ 0x6c6f7373ull /* "loss" */) {
  target_ = std::make_unique<LiveTarget>(scenario.topology, scenario.models, scenario.seed, options_.memory_limit,
                                         options_.apply_models, static_cast<TargetHooks&>(*this));
  addresses_ = listen_addresses(target_->ports(), options_.real_addresses);
  ports_rt_.resize(target_->ports().size());
  for (const LivePort& p : target_->ports()) loss_timing_.push_back(loss_timing(p.link_latency_s));
  const std::int64_t end = options_.duration_s > 0 ? std::int64_t(options_.duration_s * 1e9)
                                                   : std::numeric_limits<std::int64_t>::max();
  for (const sim::FaultSpec& f : scenario.faults) {
    auto ports = ports_of(target_->ports(), scenario.topology, f.target);
    if (ports.empty()) {
      throw std::invalid_argument("faults[" + std::to_string(fault_ports_.size()) + "] (" + f.label + "): target " + f.target +
                                  " is not a target port, target node, link plugged into a port or controller; "
                                  "the emulator acts on the target side only");
    }
    fault_ports_.push_back(std::move(ports));
  }
  plan_ = sim::plan_faults(scenario.faults, end);
}

void Emulator::apply_due_faults(std::int64_t t) {
  if (fault_t0_ < 0) return;
  if (next_action_ < plan_.size() && fault_t0_ + plan_[next_action_].at <= t) log_counters();  // per phase
  while (next_action_ < plan_.size() && fault_t0_ + plan_[next_action_].at <= t) apply(plan_[next_action_++]);
}

void Emulator::apply(const sim::FaultAction& a) {
  const sim::FaultSpec& f = scenario_.faults[a.fault];
  const std::vector<std::uint32_t>& ports = fault_ports_[a.fault];
  std::visit(sim::Overloaded{
                 [&](const sim::fault_ops::Down& d) {
                   // Who notices is the contract's noticed_at_once; a remote port with AUTO is not noticed.
                   const std::string host = scenario_.topology.hosts_size() ? scenario_.topology.hosts(0).name() : "";
                   const bool at_once = sim::noticed_at_once(d.detection, scenario_.topology, f.target, host);
                   event("fault", f.target, f.label + (at_once ? " (immediate: connections closed)" : " (silent: black hole)"));
                   for (std::uint32_t p : ports) port_down(p, !at_once, f.label);
                 },
                 [&](const sim::fault_ops::Up&) {
                   event("fault-end", f.target, f.label);
                   for (std::uint32_t p : ports) port_up(p, f.label);
                 },
                 [&](const sim::fault_ops::AnaSet& s) {
                   event(s.restore ? "fault-end" : "fault", f.target, f.label);
                   for (std::uint32_t p : ports) {
                     target_->set_ana(p, s.grpid, s.restore ? target_->initial_ana(p, s.grpid) : s.state);
                   }
                 },
                 [&](const sim::fault_ops::GrayOn& g) {
                   for (std::uint32_t p : ports) {
                     // The link's round trip times (factor - 1), and a 4 KiB transfer's time on it
                     // times (divisor - 1), added to every completion through the port.
                     const LivePort& lp = target_->ports()[p];
                     const double bw = lp.link_bps > 0 ? 4096.0 * 8.0 / lp.link_bps : 0.0;
                     const double extra_s = (g.latency_factor - 1.0) * 2.0 * lp.link_latency_s +
                                            (g.bandwidth_divisor - 1.0) * bw;
                     target_->set_port_delay(p, std::int64_t(extra_s * 1e9));
                     event("fault", f.target, f.label + " (+" + std::to_string(std::int64_t(extra_s * 1e6)) + " us per I/O on " + lp.name + ")");
                   }
                 },
                 [&](const sim::fault_ops::GrayOff&) {
                   event("fault-end", f.target, f.label);
                   for (std::uint32_t p : ports) target_->set_port_delay(p, 0);
                 },
                 [&](const sim::fault_ops::LossOn& loss) {
                   // Loopback TCP loses nothing: the emulator holds what a lossy link would (lossy_stream.h).
                   event("fault", f.target, f.label + " (loss " + std::to_string(loss.probability) + " per segment, both directions)");
                   for (std::uint32_t p : ports) {
                     ports_rt_[p].loss = loss.probability;
                     ports_rt_[p].offered = ports_rt_[p].lost = 0;
                   }
                 },
                 [&](const sim::fault_ops::LossOff&) {
                   for (std::uint32_t p : ports) {
                     PortRuntime& rt = ports_rt_[p];
                     rt.loss = 0;
                     event("fault-end", f.target, f.label + ": " + std::to_string(rt.lost) + " of " +
                                                      std::to_string(rt.offered) + " transmissions lost on " +
                                                      target_->ports()[p].name);
                   }
                 },
                 [&](const sim::fault_ops::Reset& r) {
                   if (r.side == sim::ResetSide::Host) {
                     event("fault-skipped", f.target, f.label + ": a host-side reset is the host's (nvme reset /dev/nvmeN)");
                     return;
                   }
                   event("fault", f.target, f.label);
                   for (std::uint32_t p : ports) target_->fatal_error(p, f.label);
                 },
             },
             a.op);
}

void Emulator::port_down(std::uint32_t port, bool silent, const std::string& why) {
  PortRuntime& rt = ports_rt_[port];
  if (rt.downs++ > 0) return;  // already down
  rt.silent = silent;
  std::vector<ConnId> on_port;
  for (auto& [id, c] : conns_) {
    if (c->port == port) on_port.push_back(id);
  }
  if (silent) {  // stop reading and accepting: what is in the ring is cancelled (a send in flight goes out)
    for (ConnId id : on_port) {
      if (conns_[id]->recv_armed) cancel(std::uint64_t(kOpRecv) << 56 | id);
    }
    if (rt.accept_armed) cancel(std::uint64_t(kOpAccept) << 56 | port);
    return;
  }
  close_listener(port);
  for (ConnId id : on_port) close_now(id, "port down: " + why);
}

void Emulator::port_up(std::uint32_t port, const std::string& why) {
  PortRuntime& rt = ports_rt_[port];
  if (rt.downs == 0 || --rt.downs > 0) return;
  const bool was_silent = rt.silent;
  rt.silent = false;
  if (!was_silent) {
    open_listener(port);
    return;
  }
  std::vector<std::pair<ConnId, std::string>> doomed;
  for (auto& [id, c] : conns_) {
    if (c->port != port || c->closing) continue;
    if (c->doomed) {
      doomed.push_back({id, c->doom_reason});
    } else if (!c->held_input.empty()) {  // read just before the port went silent
      const Bytes held = std::move(c->held_input);
      c->held_input.clear();
      feed(*c, held, now());
    }
  }
  for (auto& [id, reason] : doomed) close_now(id, reason + " (while " + why + ")");
  // The loop arms the port's accept and its connections' recv and send again.
}

}  // namespace mpsim::live
