#include "validate/guest_timeline.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <variant>

namespace mpsim::validate {

std::int64_t took_effect_ms(const RealRun& real, const RealFault& f) {
  const auto action = std::find_if(real.actions.begin(), real.actions.end(),
                                   [&](const FaultRecord& r) { return r.t_ms == f.applied_ms && is_fault_action(r); });
  if (action == real.actions.end() || action->action != "net") return f.applied_ms;
  const std::string port = action->detail.substr(0, action->detail.find(','));
  const auto column = std::find(real.samples.paths.begin(), real.samples.paths.end(), port);
  if (column == real.samples.paths.end()) return f.applied_ms;
  const auto p = std::size_t(column - real.samples.paths.begin());
  std::optional<std::uint64_t> before;
  std::int64_t grew = f.applied_ms;
  bool seen = false;
  for (const SampleRow& row : real.samples.rows) {
    if (row.t_ms > f.applied_ms || p >= row.paths.size()) break;
    const std::uint64_t done = row.paths[p].reads + row.paths[p].writes;
    if (before && done > *before && row.t_ms >= f.at_ms) {
      grew = row.t_ms;
      seen = true;
    }
    before = done;
  }
  return seen ? grew : f.applied_ms;
}

namespace {

// The record of the action that ended a windowed `net` fault: the first `net` record on the same
// port at or after the window's planned end.
std::optional<std::int64_t> net_end_record(const RealRun& real, const RealFault& f) {
  const auto start = std::find_if(real.actions.begin(), real.actions.end(),
                                  [&](const FaultRecord& r) { return r.t_ms == f.applied_ms && is_fault_action(r); });
  if (start == real.actions.end() || start->action != "net" || f.end_ms <= f.at_ms) return std::nullopt;
  const std::string port = start->detail.substr(0, start->detail.find(','));
  for (auto r = start + 1; r != real.actions.end(); ++r) {
    if (r->action == "net" && r->t_ms >= f.end_ms && r->detail.rfind(port + ",", 0) == 0) return r->t_ms;
  }
  return std::nullopt;
}

// The window of a Down, Gray or Loss fault (the kinds a `net` action plays), if it has one.
sim::Duration* window_of(sim::FaultSpec& f) {
  return std::visit(
      [](auto& kind) -> sim::Duration* {
        if constexpr (requires { kind.duration; }) {
          return kind.duration.count() >= 0 ? &kind.duration : nullptr;
        } else {
          return nullptr;
        }
      },
      f.kind);
}

}  // namespace

GuestTimeline guest_timeline(const RealRun& real, const sim::Scenario& scenario) {
  std::optional<std::int64_t> connected, io_start;
  for (const auto& r : real.actions) {
    if (r.action == "connected") connected = std::min(connected.value_or(r.t_ms), r.t_ms);
    if (r.action == "io_start" && !io_start) io_start = r.t_ms;
  }
  GuestTimeline t;
  if (connected && io_start && *io_start > *connected) {
    const std::int64_t bin_ms = std::chrono::duration_cast<std::chrono::milliseconds>(scenario.timeline_interval).count();
    const std::int64_t lead_ms = *io_start - *connected;
    t.lead = std::chrono::milliseconds(bin_ms > 0 ? (lead_ms + bin_ms / 2) / bin_ms * bin_ms : lead_ms);
  }
  for (std::size_t i = 0; i < scenario.faults.size(); ++i) {
    const std::int64_t lag_ms = i < real.faults.size() ? real.faults[i].applied_ms - real.faults[i].at_ms : 0;
    t.fault_lag.push_back(std::chrono::milliseconds(std::max<std::int64_t>(0, lag_ms)));
    const std::int64_t early_ms = i < real.faults.size() ? real.faults[i].applied_ms - took_effect_ms(real, real.faults[i]) : 0;
    t.fault_early.push_back(std::chrono::milliseconds(std::clamp<std::int64_t>(early_ms, 0, std::max<std::int64_t>(0, lag_ms))));
    std::optional<sim::Duration> length;
    if (i < real.faults.size()) {
      const std::optional<std::int64_t> end = net_end_record(real, real.faults[i]);
      // Both ends took effect a second tc earlier than their records: the length is the records'.
      if (end && *end > real.faults[i].applied_ms) length = std::chrono::milliseconds(*end - real.faults[i].applied_ms);
    }
    t.fault_length.push_back(length);
  }
  return t;
}

void replay_guest_timeline(const GuestTimeline& timeline, sim::Scenario& scenario) {
  for (auto& job : scenario.jobs) job.start_delay += timeline.lead;
  for (std::size_t i = 0; i < scenario.faults.size(); ++i) {
    scenario.faults[i].at += timeline.lead + (i < timeline.fault_lag.size() ? timeline.fault_lag[i] : sim::Duration{}) -
                             (i < timeline.fault_early.size() ? timeline.fault_early[i] : sim::Duration{});
    sim::Duration* window = window_of(scenario.faults[i]);
    if (window && i < timeline.fault_length.size() && timeline.fault_length[i]) *window = *timeline.fault_length[i];
  }
  if (scenario.duration.count() > 0) scenario.duration += timeline.lead;
}

void rebase_to_workload(const GuestTimeline& timeline, sim::RunResult& result) {
  const sim::Duration lead = timeline.lead;
  result.simulated -= lead;
  auto& rows = result.timeline;
  rows.erase(std::remove_if(rows.begin(), rows.end(), [&](const sim::TimelineRow& r) { return r.start < lead; }),
             rows.end());
  for (auto& r : rows) r.start -= lead;
  for (auto& e : result.events) e.at -= lead;
  for (std::size_t i = 0; i < result.faults.size(); ++i) {
    sim::FaultMeasure& f = result.faults[i];
    f.at -= lead;
    f.end -= lead;
    const sim::Duration early = i < timeline.fault_early.size() ? timeline.fault_early[i] : sim::Duration{};
    if (f.time_to_detect >= sim::Duration{}) f.time_to_detect = std::max(sim::Duration{}, f.time_to_detect - early);
  }
}

}  // namespace mpsim::validate
