#include "sim/fault_plan.h"

#include <algorithm>
#include <stdexcept>

namespace mpsim::sim {

namespace {

std::int64_t ns(Duration d) { return d.count(); }

void add(std::vector<FaultAction>& out, std::int64_t at, FaultOp op, std::uint32_t fault,
         topology::AnaState state = topology::ANA_STATE_UNSPECIFIED, bool restore = false) {
  out.push_back(FaultAction{at, op, fault, state, restore});
}

void plan_one(const FaultSpec& f, std::uint32_t i, std::vector<FaultAction>& out) {
  const std::int64_t at = ns(f.at);
  const bool windowed = f.duration.count() >= 0;
  const std::int64_t end = at + ns(f.duration);
  switch (f.kind) {
    case FaultKind::Down:
      add(out, at, FaultOp::Down, i);
      if (windowed) add(out, end, FaultOp::Up, i);
      return;
    case FaultKind::Flap: {
      if (f.flap_count == 0 || f.flap_period.count() <= 0)
        throw std::invalid_argument("fault \"" + f.label + "\": a flap needs flap_count > 0 and flap_period > 0");
      const std::int64_t period = ns(f.flap_period);
      for (std::uint32_t k = 0; k < f.flap_count; ++k) {
        add(out, at + k * period, FaultOp::Down, i);
        add(out, at + k * period + period / 2, FaultOp::Up, i);
      }
      return;
    }
    case FaultKind::AnaChange: {
      if (f.ana_state == topology::ANA_STATE_UNSPECIFIED)
        throw std::invalid_argument("fault \"" + f.label + "\": an ANA change needs ana_state");
      const std::int64_t transition = ns(f.transition);
      if (transition > 0) add(out, at, FaultOp::AnaSet, i, topology::CHANGE);
      add(out, at + std::max<std::int64_t>(transition, 0), FaultOp::AnaSet, i, f.ana_state);
      if (windowed) add(out, std::max(end, at + transition), FaultOp::AnaSet, i, topology::ANA_STATE_UNSPECIFIED, true);
      return;
    }
    case FaultKind::Gray:
      if (f.latency_factor <= 0 || f.bandwidth_divisor <= 0)
        throw std::invalid_argument("fault \"" + f.label + "\": gray factors must be > 0");
      add(out, at, FaultOp::GrayOn, i);
      if (windowed) add(out, end, FaultOp::GrayOff, i);
      return;
    case FaultKind::ControllerReset:
      add(out, at, FaultOp::Reset, i);
      return;
  }
}

}  // namespace

std::vector<FaultAction> plan_faults(const std::vector<FaultSpec>& faults, std::int64_t end) {
  std::vector<FaultAction> out;
  for (std::uint32_t i = 0; i < faults.size(); ++i) {
    if (faults[i].at.count() < 0) throw std::invalid_argument("fault \"" + faults[i].label + "\": negative start time");
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

std::int64_t fault_window_end(const FaultSpec& f, std::int64_t end) {
  const std::int64_t at = f.at.count();
  switch (f.kind) {
    case FaultKind::Flap:
      return std::min(end, at + std::int64_t(f.flap_count) * f.flap_period.count());
    case FaultKind::ControllerReset:
      return std::min(end, at);
    case FaultKind::AnaChange:
      if (f.duration.count() < 0) return end;
      return std::min(end, at + std::max(f.duration.count(), f.transition.count()));
    default:
      return f.duration.count() < 0 ? end : std::min(end, at + f.duration.count());
  }
}

}  // namespace mpsim::sim
