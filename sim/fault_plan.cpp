#include "sim/fault_plan.h"

#include <algorithm>
#include <cassert>

#include "topologies/topology.h"

namespace mpsim::sim {

namespace {

std::int64_t ns(Duration d) { return d.count(); }

void plan_one(const FaultSpec& f, std::uint32_t i, std::vector<FaultAction>& out) {
  const std::int64_t at = ns(f.at);
  auto add = [&](std::int64_t when, FaultOp op) { out.push_back(FaultAction{when, i, op}); };
  std::visit(Overloaded{
                 [&](const faults::Down& down) {
                   add(at, fault_ops::Down{down.detection});
                   if (down.duration.count() >= 0) add(at + ns(down.duration), fault_ops::Up{});
                 },
                 [&](const faults::Flap& flap) {
                   assert(flap.count > 0 && flap.period.count() > 0);
                   const std::int64_t period = ns(flap.period);
                   for (std::uint32_t k = 0; k < flap.count; ++k) {
                     add(at + k * period, fault_ops::Down{flap.detection});
                     add(at + k * period + period / 2, fault_ops::Up{});
                   }
                 },
                 [&](const faults::AnaChange& ana) {
                   assert(ana.state != topology::ANA_STATE_UNSPECIFIED);
                   const std::int64_t transition = std::max<std::int64_t>(ns(ana.transition), 0);
                   if (transition > 0) add(at, fault_ops::AnaSet{ana.grpid, topology::CHANGE, false});
                   add(at + transition, fault_ops::AnaSet{ana.grpid, ana.state, false});
                   if (ana.duration.count() >= 0) {
                     add(std::max(at + ns(ana.duration), at + transition),
                         fault_ops::AnaSet{ana.grpid, topology::ANA_STATE_UNSPECIFIED, true});
                   }
                 },
                 [&](const faults::Gray& gray) {
                   assert(gray.latency_factor >= 1.0 && gray.bandwidth_divisor >= 1.0);
                   add(at, fault_ops::GrayOn{gray.latency_factor, gray.bandwidth_divisor});
                   if (gray.duration.count() >= 0) add(at + ns(gray.duration), fault_ops::GrayOff{});
                 },
                 [&](const faults::Loss& loss) {
                   assert(loss.probability >= 0.0 && loss.probability <= 1.0);
                   add(at, fault_ops::LossOn{loss.probability});
                   if (loss.duration.count() >= 0) add(at + ns(loss.duration), fault_ops::LossOff{});
                 },
                 [&](const faults::ControllerReset& reset) { add(at, fault_ops::Reset{reset.side}); },
             },
             f.kind);
}

bool is_nic_of(const topology::Topology& topo, std::string_view id, std::string_view host) {
  auto end = topology::resolve_endpoint(topo, id);
  return end && end->kind == topology::EndpointKind::kNic && topo.hosts(end->owner).name() == host;
}

}  // namespace

std::vector<FaultAction> plan_faults(const std::vector<FaultSpec>& faults, std::int64_t end) {
  std::vector<FaultAction> out;
  for (std::uint32_t i = 0; i < faults.size(); ++i) {
    assert(faults[i].at.count() >= 0);
    plan_one(faults[i], i, out);
  }
  std::stable_sort(out.begin(), out.end(), [](const FaultAction& a, const FaultAction& b) { return a.at < b.at; });
  out.erase(std::remove_if(out.begin(), out.end(), [end](const FaultAction& a) { return a.at >= end; }), out.end());
  return out;
}

std::vector<std::int64_t> sync_times(const std::vector<FaultAction>& actions) {
  std::vector<std::int64_t> t;
  for (const auto& a : actions) {
    if (t.empty() || t.back() != a.at) t.push_back(a.at);
  }
  return t;
}

std::optional<std::int64_t> fault_window_end(const FaultSpec& f) {
  using End = std::optional<std::int64_t>;
  const std::int64_t at = ns(f.at);
  auto window = [at](Duration duration) { return duration.count() < 0 ? End() : End(at + ns(duration)); };
  return std::visit(Overloaded{
                        [&](const faults::Down& down) { return window(down.duration); },
                        [&](const faults::Gray& gray) { return window(gray.duration); },
                        [&](const faults::Loss& loss) { return window(loss.duration); },
                        [&](const faults::Flap& flap) { return End(at + std::int64_t(flap.count) * ns(flap.period)); },
                        [&](const faults::ControllerReset&) { return End(at); },
                        [&](const faults::AnaChange& ana) {
                          const End end = window(ana.duration);
                          return end ? End(std::max(*end, at + ns(ana.transition))) : end;
                        },
                    },
                    f.kind);
}

std::int64_t fault_window_end(const FaultSpec& f, std::int64_t end) {
  return std::min(end, fault_window_end(f).value_or(end));
}

bool noticed_at_once(Detection detection, const topology::Topology& topo, std::string_view component,
                     std::string_view host) {
  if (detection != Detection::Auto) return detection == Detection::Immediate;
  if (topology::resolve_endpoint(topo, component)) return is_nic_of(topo, component, host);  // a NIC, switch or port
  for (const topology::Link& l : topo.links()) {
    if (topology::link_name(l) == component) return is_nic_of(topo, l.a(), host) || is_nic_of(topo, l.b(), host);
  }
  return false;
}

}  // namespace mpsim::sim
