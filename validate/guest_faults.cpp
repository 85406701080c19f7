#include "validate/guest_faults.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>

#include "topologies/units.h"

namespace mpsim::validate {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

std::int64_t to_ms(policies::Duration d) { return duration_cast<milliseconds>(d).count(); }

class FaultPlanner {
 public:
  FaultPlanner(const sim::Scenario& s, GuestPlan& plan) : s_(s), plan_(plan) {}

  void add(const sim::FaultSpec& f) {
    why_ = f.label.empty() ? f.target : f.label;
    switch (f.kind) {
      case sim::FaultKind::AnaChange: add_ana(f); break;
      case sim::FaultKind::Down: add_down(f, to_ms(f.at), end_ms(f), f.detection); break;
      case sim::FaultKind::Flap: add_flap(f); break;
      case sim::FaultKind::Gray: add_gray(f); break;
      case sim::FaultKind::ControllerReset: add_reset(f); break;
    }
  }

 private:
  [[noreturn]] void refuse(const std::string& what) const {
    throw GuestPlanError("scenario \"" + plan_.name + "\": fault \"" + why_ + "\": " + what);
  }

  // -1 when the fault lasts until the end of the run (nothing to restore).
  static std::int64_t end_ms(const sim::FaultSpec& f) { return f.duration.count() < 0 ? -1 : to_ms(f.at + f.duration); }

  void emit(std::int64_t at_ms, const std::string& command) {
    if (at_ms < 0 || at_ms > plan_.run_ms) return;
    plan_.actions.push_back({at_ms, command, why_});
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
    return "net_set " + p.key + " " + std::to_string(delay_us) + " " + std::to_string(loss_pct);
  }

  std::string initial_ana(const GuestPort& p, std::uint32_t grpid) const {
    for (const auto& [g, state] : p.ana) {
      if (g == grpid) return state;
    }
    if (grpid == 1) return "optimized";  // nvmet's default group starts optimized on every port
    refuse("port \"" + p.name + "\" has no ANA group " + std::to_string(grpid));
  }

  void add_ana(const sim::FaultSpec& f) {
    std::string state = nvmet_ana_state(f.ana_state);
    for (const GuestPort* p : ports_of(f.target)) {
      std::string prefix = "ana_set " + p->key + " " + std::to_string(f.grpid) + " ";
      std::string before = initial_ana(*p, f.grpid);
      std::int64_t at = to_ms(f.at);
      if (f.transition.count() > 0) {
        emit(at, prefix + "change");
        at = to_ms(f.at + f.transition);
      }
      emit(at, prefix + state);
      if (end_ms(f) >= 0) emit(end_ms(f), prefix + before);
    }
  }

  void add_down(const sim::FaultSpec& f, std::int64_t at, std::int64_t end, sim::Detection detection) {
    // A local NIC or link going down is noticed at once (AUTO): the closest real event that
    // the host sees at once is the target dropping the connection.
    const topology::Link* link = link_named(f.target);
    bool local = is_host_nic(f.target) || (link != nullptr && (is_host_nic(link->a()) || is_host_nic(link->b())));
    if (detection == sim::Detection::Auto && local) detection = sim::Detection::Immediate;
    for (const GuestPort* p : ports_of(f.target)) {
      if (detection == sim::Detection::Immediate) {
        emit(at, "port_down " + p->key);
        if (end >= 0) emit(end, "port_up " + p->key);
      } else {
        emit(at, net_set(*p, p->delay_us, 100));
        if (end >= 0) emit(end, net_set(*p, p->delay_us, 0));
      }
    }
  }

  void add_flap(const sim::FaultSpec& f) {
    if (f.flap_count == 0 || f.flap_period.count() <= 0) refuse("a flap needs count > 0 and a period");
    for (std::uint32_t i = 0; i < f.flap_count; ++i) {
      policies::Duration start = f.at + f.flap_period * i;
      add_down(f, to_ms(start), to_ms(start + f.flap_period / 2), f.detection);
    }
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

  void add_gray(const sim::FaultSpec& f) {
    if (f.latency_factor < 1.0) refuse("latency_factor must be >= 1");
    if (f.bandwidth_divisor < 1.0) refuse("bandwidth_divisor must be >= 1");
    for (const GuestPort* p : ports_of(f.target)) {
      const topology::Link* link = link_named(f.target);
      if (link == nullptr) link = link_of(*p);
      if (link == nullptr) refuse("port \"" + p->name + "\" has no link whose latency could be scaled");
      std::int64_t extra = std::llround((f.latency_factor - 1.0) * link->latency_us());
      emit(to_ms(f.at), net_set(*p, p->delay_us + extra, 0) + netem_rate(*link, f.bandwidth_divisor));
      if (end_ms(f) >= 0) emit(end_ms(f), net_set(*p, p->delay_us, 0));
    }
  }

  // "<host>/<node>.<port>": the guest has one controller per connected port.
  void add_reset(const sim::FaultSpec& f) {
    const std::size_t slash = f.target.find('/');
    const std::string port = slash == std::string::npos ? f.target : f.target.substr(slash + 1);
    if (slash != std::string::npos && f.target.substr(0, slash) != plan_.host)
      refuse("controller \"" + f.target + "\" belongs to another host than \"" + plan_.host + "\"");
    const GuestPort* p = port_named(port);
    if (p == nullptr || !p->connected) refuse("controller \"" + f.target + "\": the host has no connection through \"" + port + "\"");
    const char* action = f.reset_side == sim::ResetSide::Target ? "ctrl_fatal " : "ctrl_reset ";
    emit(to_ms(f.at), action + p->key);
  }

  const sim::Scenario& s_;
  GuestPlan& plan_;
  std::string why_;
};

}  // namespace

void plan_fault_actions(const sim::Scenario& scenario, GuestPlan& plan) {
  FaultPlanner planner(scenario, plan);
  for (const auto& f : scenario.faults) planner.add(f);
  std::stable_sort(plan.actions.begin(), plan.actions.end(),
                   [](const GuestAction& a, const GuestAction& b) { return a.at_ms < b.at_ms; });
}

}  // namespace mpsim::validate
