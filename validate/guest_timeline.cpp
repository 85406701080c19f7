#include "validate/guest_timeline.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <variant>

#include "policies/selectors/dm_multipath.h"
#include "policies/selectors/params.h"
#include "validate/guest_plan.h"

namespace mpsim::validate {
namespace {

// A window of negative length means "until the end of the run": it stays open-ended.
void stretch(sim::Duration& duration, sim::Duration change, sim::Duration at_least) {
  if (duration.count() >= 0) duration = std::max(at_least, duration + change);
}

void stretch_window(sim::FaultSpec& f, sim::Duration change) {
  if (change.count() == 0) return;
  std::visit(sim::Overloaded{
                 [&](sim::faults::Down& d) { stretch(d.duration, change, {}); },
                 [&](sim::faults::Gray& g) { stretch(g.duration, change, {}); },
                 [&](sim::faults::Loss& l) { stretch(l.duration, change, {}); },
                 [&](sim::faults::AnaChange& a) { stretch(a.duration, change, a.transition); },
                 [](sim::faults::Flap&) {},             // its cycles keep their period
                 [](sim::faults::ControllerReset&) {},  // an instant
             },
             f.kind);
}

// The guest's checker tick nearest after its first fault (or its last before one), on the
// simulator's clock: the simulator's jobs start at `lead` where the guest's started at io_start.
std::optional<sim::Duration> checker_tick(const RealRun& real, std::int64_t io_start_ms, sim::Duration lead) {
  if (real.dm_checker_ticks_ms.empty()) return std::nullopt;
  const std::int64_t from_ms = real.faults.empty() ? io_start_ms : real.faults.front().applied_ms;
  auto tick = std::lower_bound(real.dm_checker_ticks_ms.begin(), real.dm_checker_ticks_ms.end(), from_ms);
  if (tick == real.dm_checker_ticks_ms.end()) --tick;
  return std::chrono::milliseconds(*tick - io_start_ms) + lead;
}

// The phase the policy's checker_phase_ms takes: the tick's time modulo the polling interval.
void set_checker_phase(sim::Duration tick, policies::PolicyConfig& policy) {
  if (policies::find_policy(policy.name).stack != policies::Stack::DmMultipath) return;
  const auto values = policies::resolved_params(policy);
  const policies::DmDaemonOptions o = policies::dm_daemon_options(policies::ParamReader(policy.name, values));
  const std::int64_t period_ms = std::int64_t(o.polling_interval_s) * 1000;
  const std::int64_t tick_ms = std::chrono::duration_cast<std::chrono::milliseconds>(tick).count();
  policy.params["checker_phase_ms"] = std::to_string(((tick_ms % period_ms) + period_ms) % period_ms);
}

}  // namespace

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

ActionWindows action_windows(const RealRun& real, const sim::Scenario& scenario) {
  const std::optional<std::int64_t> io_start = first_record_ms(real.actions, "io_start");
  const std::optional<std::int64_t> fio_exit = first_record_ms(real.actions, "fio_exit");
  if (!io_start || !fio_exit || *fio_exit <= *io_start) return {};
  const GuestPlan plan = plan_guest(scenario);
  const std::vector<std::int64_t> lines = action_line_times(plan, real.actions);
  ActionWindows w{0, *fio_exit - *io_start};
  for (std::size_t k = 0; k < lines.size(); ++k) {
    if (lines[k] < 0 || plan.actions[k].command.rfind("ctrl_reset ", 0) == 0) continue;
    w.total_ms += std::max<std::int64_t>(0, lines[k] - (*io_start + plan.actions[k].at_ms));
  }
  return w;
}

GuestTimeline guest_timeline(const RealRun& real, const sim::Scenario& scenario) {
  const std::optional<std::int64_t> io_start = first_record_ms(real.actions, "io_start");
  std::optional<std::int64_t> connected;
  for (const auto& r : real.actions) {
    if (r.action == "connected") connected = std::min(connected.value_or(r.t_ms), r.t_ms);
  }
  GuestTimeline t;
  if (connected && io_start && *io_start > *connected) {
    const std::int64_t bin_ms = std::chrono::duration_cast<std::chrono::milliseconds>(scenario.timeline_interval).count();
    const std::int64_t lead_ms = *io_start - *connected;
    t.lead = std::chrono::milliseconds(bin_ms > 0 ? (lead_ms + bin_ms / 2) / bin_ms * bin_ms : lead_ms);
  }
  if (io_start) t.dm_checker_tick = checker_tick(real, *io_start, t.lead);
  for (std::size_t i = 0; i < scenario.faults.size(); ++i) {
    const std::int64_t lag_ms = i < real.faults.size() ? real.faults[i].applied_ms - real.faults[i].at_ms : 0;
    t.fault_lag.push_back(std::chrono::milliseconds(std::max<std::int64_t>(0, lag_ms)));
    std::int64_t change_ms = 0;
    if (i < real.faults.size() && real.faults[i].applied_end_ms >= 0) {
      const RealFault& f = real.faults[i];
      change_ms = (f.applied_end_ms - f.end_ms) - std::max<std::int64_t>(0, f.applied_ms - f.at_ms);
    }
    t.fault_length_change.push_back(std::chrono::milliseconds(change_ms));
    const std::int64_t early_ms = i < real.faults.size() ? real.faults[i].applied_ms - took_effect_ms(real, real.faults[i]) : 0;
    t.fault_early.push_back(std::chrono::milliseconds(std::clamp<std::int64_t>(early_ms, 0, std::max<std::int64_t>(0, lag_ms))));
  }
  return t;
}

void replay_guest_timeline(const GuestTimeline& timeline, sim::Scenario& scenario) {
  for (auto& job : scenario.jobs) job.start_delay += timeline.lead;
  for (std::size_t i = 0; i < scenario.faults.size(); ++i) {
    scenario.faults[i].at += timeline.lead + (i < timeline.fault_lag.size() ? timeline.fault_lag[i] : sim::Duration{}) -
                             (i < timeline.fault_early.size() ? timeline.fault_early[i] : sim::Duration{});
    if (i < timeline.fault_length_change.size()) stretch_window(scenario.faults[i], timeline.fault_length_change[i]);
  }
  if (scenario.duration.count() > 0) scenario.duration += timeline.lead;
  if (timeline.dm_checker_tick) {
    set_checker_phase(*timeline.dm_checker_tick, scenario.policy);
    for (auto& o : scenario.overrides) set_checker_phase(*timeline.dm_checker_tick, o.policy);
  }
}

void rebase_to_workload(const GuestTimeline& timeline, sim::RunResult& result) {
  const sim::Duration lead = timeline.lead;
  result.simulated -= lead;
  result.timeline.rebase(lead);
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
