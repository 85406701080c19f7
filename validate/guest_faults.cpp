#include "validate/guest_faults.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>
#include <optional>

#include "sim/fault_plan.h"
#include "topologies/units.h"

namespace mpsim::validate {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

std::int64_t to_ms(policies::Duration d) { return duration_cast<milliseconds>(d).count(); }

class FaultPlanner {
 public:
  FaultPlanner(const sim::Scenario& s, GuestPlan& plan) : s_(s), plan_(plan) {}

  // The actions of one fault, in time order. A controller reset names a controller; every
  // other action applies to each target port the fault's component stands for.
  void add(std::size_t index, const sim::FaultSpec& f, const std::vector<const sim::FaultAction*>& actions) {
    fault_ = index;
    why_ = f.label.empty() ? f.target : f.label;
    std::optional<std::vector<const GuestPort*>> ports;  // found on first use: a reset has none
    auto each_port = [&](auto&& apply) {
      if (!ports) ports = ports_of(f.target);
      for (const GuestPort* p : *ports) apply(*p);
    };
    bool down_at_once = false;  // how the last Down was shown, for its Up
    for (const sim::FaultAction* a : actions) {
      const std::int64_t at = to_ms(policies::Duration(a->at));
      std::visit(sim::Overloaded{
                     [&](const sim::fault_ops::Down& down) {
                       // What the host notices at once the guest shows as the target dropping the
                       // connection (the closest real event the host sees at once); the rest as
                       // 100% loss on the port, which only keep-alive can notice.
                       down_at_once = sim::noticed_at_once(down.detection, s_.topology, f.target, plan_.host);
                       each_port([&](const GuestPort& p) {
                         emit(at, down_at_once ? "port_down " + p.key : net_set(p, p.delay_us, 100));
                       });
                     },
                     [&](const sim::fault_ops::Up&) {
                       each_port([&](const GuestPort& p) {
                         emit(at, down_at_once ? "port_up " + p.key : net_set(p, p.delay_us, 0));
                       });
                     },
                     [&](const sim::fault_ops::AnaSet& ana) { each_port([&](const GuestPort& p) { add_ana(p, at, ana); }); },
                     [&](const sim::fault_ops::GrayOn& gray) {
                       each_port([&](const GuestPort& p) { add_gray(f, p, at, gray); });
                     },
                     [&](const sim::fault_ops::GrayOff&) {
                       each_port([&](const GuestPort& p) { emit(at, net_set(p, p.delay_us, 0)); });
                     },
                     [&](const sim::fault_ops::LossOn& loss) {
                       each_port([&](const GuestPort& p) { emit(at, net_set(p, p.delay_us, loss_percent(loss.probability))); });
                     },
                     [&](const sim::fault_ops::LossOff&) {
                       each_port([&](const GuestPort& p) { emit(at, net_set(p, p.delay_us, 0)); });
                     },
                     [&](const sim::fault_ops::Reset& reset) { add_reset(f, at, reset); },
                 },
                 a->op);
    }
  }

 private:
  [[noreturn]] void refuse(const std::string& what) const {
    throw GuestPlanError("scenario \"" + plan_.name + "\": fault \"" + why_ + "\": " + what);
  }

  void emit(std::int64_t at_ms, const std::string& command) {
    if (at_ms < 0 || at_ms > plan_.run_ms) return;
    plan_.actions.push_back({at_ms, command, why_, fault_});
  }

  const GuestPort* port_named(const std::string& name) const {
    for (const auto& p : plan_.ports) {
      if (p.name == name) return &p;
    }
    return nullptr;
  }

  const topology::Link* link_named(const std::string& name) const {
    for (const auto& l : s_.topology.links()) {
      std::string id = l.name().empty() ? l.a() + "--" + l.b() : l.name();
      if (id == name) return &l;
    }
    return nullptr;
  }

  bool is_host_nic(const std::string& name) const { return name.rfind(plan_.host + ".", 0) == 0; }

  // Ports reachable from `start` over links without passing through a host NIC or `skip`.
  void ports_behind(const std::string& start, const topology::Link* skip, std::vector<const GuestPort*>& out) const {
    std::vector<std::string> todo = {start}, seen = {start};
    while (!todo.empty()) {
      std::string at = todo.back();
      todo.pop_back();
      if (const GuestPort* p = port_named(at)) out.push_back(p);
      for (const auto& l : s_.topology.links()) {
        if (&l == skip || (l.a() != at && l.b() != at)) continue;
        const std::string& next = l.a() == at ? l.b() : l.a();
        if (is_host_nic(next) || std::find(seen.begin(), seen.end(), next) != seen.end()) continue;
        seen.push_back(next);
        todo.push_back(next);
      }
    }
  }

  // The target ports a component stands for: a port, a target node's ports, a link's port end,
  // or, for a host NIC or a link from one, every port reached through it.
  std::vector<const GuestPort*> ports_of(const std::string& target) const {
    if (const GuestPort* p = port_named(target)) return {p};
    std::vector<const GuestPort*> out;
    for (const auto& p : plan_.ports) {
      if (p.name.rfind(target + ".", 0) == 0) out.push_back(&p);
    }
    if (const topology::Link* l = link_named(target)) {
      if (is_host_nic(l->a()) || is_host_nic(l->b())) {
        ports_behind(is_host_nic(l->a()) ? l->b() : l->a(), l, out);
      } else {
        for (const std::string& end : {l->a(), l->b()}) {
          if (const GuestPort* p = port_named(end)) out.push_back(p);
        }
      }
    } else if (is_host_nic(target)) {
      for (const auto& l : s_.topology.links()) {
        if (l.a() == target || l.b() == target) ports_behind(l.a() == target ? l.b() : l.a(), &l, out);
      }
    }
    if (out.empty()) refuse("\"" + target + "\" is not a target port, target node, link or host NIC on a path of this scenario");
    return out;
  }

  const topology::Link* link_of(const GuestPort& port) const {
    for (const auto& l : s_.topology.links()) {
      if (l.a() == port.name || l.b() == port.name) return &l;
    }
    return nullptr;
  }

  std::string net_set(const GuestPort& p, std::int64_t delay_us, int loss_pct) const {
    return net_set(p, delay_us, std::to_string(loss_pct));
  }
  std::string net_set(const GuestPort& p, std::int64_t delay_us, const std::string& loss_pct) const {
    return "net_set " + p.key + " " + std::to_string(delay_us) + " " + loss_pct;
  }

  // netem's loss percentage, e.g. "5" or "0.5" (it takes a decimal percent).
  static std::string loss_percent(double probability) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", probability * 100.0);
    return buf;
  }

  std::string initial_ana(const GuestPort& p, std::uint32_t grpid) const {
    for (const auto& [g, state] : p.ana) {
      if (g == grpid) return state;
    }
    if (grpid == 1) return "optimized";  // nvmet's default group starts optimized on every port
    refuse("port \"" + p.name + "\" has no ANA group " + std::to_string(grpid));
  }

  // The restore goes back to the port's topology state (refused when the port has no such group,
  // restore or not: the guest could not put it back).
  void add_ana(const GuestPort& p, std::int64_t at, const sim::fault_ops::AnaSet& ana) {
    const std::string before = initial_ana(p, ana.grpid);
    const std::string state = ana.restore ? before : nvmet_ana_state(ana.state);
    emit(at, "ana_set " + p.key + " " + std::to_string(ana.grpid) + " " + state);
  }

  // netem rate in kbit/s for the link's bandwidth divided by `divisor` (none when it is 1).
  std::string netem_rate(const topology::Link& link, double divisor) const {
    if (divisor <= 1.0) return "";
    double kbit = 0;
    try {
      kbit = topology::parse_bandwidth(link.bandwidth()) / divisor / 1000.0;
    } catch (const std::exception& e) {
      refuse("link bandwidth \"" + link.bandwidth() + "\": " + e.what());
    }
    if (kbit < 1.0) refuse("bandwidth_divisor leaves less than 1 kbit/s");
    std::string arg = " ";  // appended, not " " + to_string(): GCC 12 warns falsely on that
    arg += std::to_string(std::llround(kbit));
    return arg;
  }

  // The latency of the fault's link (or of the port's own link) scaled by latency_factor.
  void add_gray(const sim::FaultSpec& f, const GuestPort& p, std::int64_t at, const sim::fault_ops::GrayOn& gray) {
    const topology::Link* link = link_named(f.target);
    if (link == nullptr) link = link_of(p);
    if (link == nullptr) refuse("port \"" + p.name + "\" has no link whose latency could be scaled");
    std::int64_t extra = std::llround((gray.latency_factor - 1.0) * link->latency_us());
    emit(at, net_set(p, p.delay_us + extra, 0) + netem_rate(*link, gray.bandwidth_divisor));
  }

  // "<host>/<node>.<port>": the guest has one controller per connected port.
  void add_reset(const sim::FaultSpec& f, std::int64_t at, const sim::fault_ops::Reset& reset) {
    const std::size_t slash = f.target.find('/');
    const std::string port = slash == std::string::npos ? f.target : f.target.substr(slash + 1);
    if (slash != std::string::npos && f.target.substr(0, slash) != plan_.host)
      refuse("controller \"" + f.target + "\" belongs to another host than \"" + plan_.host + "\"");
    const GuestPort* p = port_named(port);
    if (p == nullptr || !p->connected) refuse("controller \"" + f.target + "\": the host has no connection through \"" + port + "\"");
    const char* action = reset.side == sim::ResetSide::Target ? "ctrl_fatal " : "ctrl_reset ";
    emit(at, action + p->key);
  }

  const sim::Scenario& s_;
  GuestPlan& plan_;
  std::string why_;
  std::size_t fault_ = 0;
};

}  // namespace

void plan_fault_actions(const sim::Scenario& scenario, GuestPlan& plan) {
  // Fault by fault, each one's actions in time order: the same schedule order as the engine's
  // at equal times. The guest drops what falls after the workload (emit), not the plan.
  const std::vector<sim::FaultAction> actions = sim::plan_faults(scenario.faults, std::numeric_limits<std::int64_t>::max());
  std::vector<std::vector<const sim::FaultAction*>> by_fault(scenario.faults.size());
  for (const auto& a : actions) by_fault.at(a.fault).push_back(&a);
  FaultPlanner planner(scenario, plan);
  for (std::size_t i = 0; i < scenario.faults.size(); ++i) planner.add(i, scenario.faults[i], by_fault[i]);
  std::stable_sort(plan.actions.begin(), plan.actions.end(),
                   [](const GuestAction& a, const GuestAction& b) { return a.at_ms < b.at_ms; });
}

}  // namespace mpsim::validate
