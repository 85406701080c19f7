// The simulator replays the guest's timeline: the idle lead before the first I/O and each fault
// action's lag, then reports on the workload's clock again.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "experiments/experiment_loader.h"
#include "sim/engine.h"
#include "scenario_file.h"
#include "validate/guest_plan.h"
#include "validate/guest_timeline.h"

using namespace mpsim;
using namespace std::chrono_literals;

namespace {

using validate::testing::load;

// What the guest logged: both ports connected before T0, the first I/O, one fault action late.
validate::RealRun guest_marks(std::int64_t connected_ms, std::int64_t io_start_ms, std::int64_t lag_ms,
                              std::int64_t at_ms) {
  validate::RealRun real;
  real.actions = {{connected_ms - 70, "connected", "nvmet_p1"},
                  {connected_ms, "connected", "nvmet_p2"},
                  {io_start_ms, "io_start", ""},
                  {io_start_ms + at_ms + lag_ms, "net", "nvmet_p1,0,100,0"}};
  validate::RealFault f;
  f.at_ms = io_start_ms + at_ms;
  f.applied_ms = f.at_ms + lag_ms;
  real.faults = {f};
  return real;
}

// A lead and the faults' lags; the other fields empty (set one by one: -Wextra warns on a brace
// list that leaves members out, designated or not).
validate::GuestTimeline timeline(sim::Duration lead, std::vector<sim::Duration> lags) {
  validate::GuestTimeline t;
  t.lead = lead;
  t.fault_lag = std::move(lags);
  return t;
}

sim::FaultMeasure fault_measure(const std::string& label, sim::Duration at, sim::Duration end) {
  sim::FaultMeasure f;
  f.label = label;
  f.at = at;
  f.end = end;
  return f;
}

sim::Duration detect(sim::Scenario s, const validate::GuestTimeline& t) {
  validate::match_guest_kernel(s);
  validate::replay_guest_timeline(t, s);
  sim::RunResult r = sim::run_scenario(s);
  validate::rebase_to_workload(t, r);
  REQUIRE(r.faults.size() == 1);
  return r.faults[0].time_to_detect;
}

}  // namespace

TEST_CASE("the lead runs from the first connect to the first I/O, in whole timeline bins", "[validate][timeline]") {
  const sim::Scenario s = load("validate/scenarios/fault-silent-loss-rr.textproto");
  const validate::GuestTimeline t = validate::guest_timeline(guest_marks(-150, 1024, 195, 1000), s);
  CHECK(t.lead == 1200ms);  // 1024 + 150 + 70 = 1244 ms -> 12 bins of 100 ms
  REQUIRE(t.fault_lag.size() == 1);
  CHECK(t.fault_lag[0] == 195ms);

  validate::RealRun old = guest_marks(-150, 1024, 0, 1000);
  old.actions.erase(old.actions.begin(), old.actions.begin() + 2);  // results from before the mark
  CHECK(validate::guest_timeline(old, s).lead == 0ms);

  const auto marks = validate::parse_faults_csv("-232,connected,nvmet_p1\n1315,io_start\n2539,net,nvmet_p1,0,100,0\n", "faults.csv");
  REQUIRE(marks.size() == 3);
  CHECK(marks[0].t_ms == -232);
  CHECK_FALSE(validate::is_fault_action(marks[0]));
  CHECK_FALSE(validate::is_fault_action(marks[1]));
  CHECK(validate::is_fault_action(marks[2]));
}

TEST_CASE("replay moves jobs and faults; rebasing puts the result back on the workload's clock", "[validate][timeline]") {
  sim::Scenario s = load("validate/scenarios/fault-silent-loss-rr.textproto");
  const sim::Duration at = s.faults.at(0).at, delay = s.jobs.at(0).start_delay;
  const validate::GuestTimeline t = timeline(1200ms, {195ms});
  validate::replay_guest_timeline(t, s);
  CHECK(s.jobs[0].start_delay == delay + 1200ms);
  CHECK(s.faults[0].at == at + 1200ms + 195ms);

  sim::RunResult r;
  r.simulated = 10s;
  r.timeline = sim::Timeline(100ms, 1);  // all paths only
  r.timeline.resize(13);
  r.timeline.at(11, 0).completions = 1;  // at 1100 ms, before the lead
  r.timeline.at(12, 0).completions = 2;
  r.events = {{0ms, "ctrl-state", "guest/nvmet.p1", "connecting->live"}};
  r.faults = {fault_measure("f1", 2395ms, 8395ms)};
  validate::rebase_to_workload(t, r);
  CHECK(r.simulated == 8800ms);
  REQUIRE(r.timeline.intervals() == 1);
  CHECK(r.timeline.start(0) == 0ms);
  CHECK(r.timeline.at(0, 0).completions == 2);
  CHECK(r.events[0].at == -1200ms);
  CHECK(r.faults[0].at == 1195ms);
}

// The guest's kernel sent keep-alives every kato/4 while idle before fio started; the last one
// left the admin queue's timer pending past the lost keep-alive's deadline, so its timeout fired
// at the deadline, not a 1.28 s pad later (real: 2.46-2.70 s after the loss in three runs).
TEST_CASE("an idle lead before the workload lets a lost keep-alive time out at its deadline", "[validate][timeline]") {
  const sim::Scenario s = load("validate/scenarios/fault-silent-loss-rr.textproto");
  const sim::Duration kato = 2s;
  const sim::Duration padded = detect(s, timeline(0ms, {0ms}));
  const sim::Duration replayed = detect(s, timeline(1200ms, {195ms}));
  CHECK(padded >= kato + kato / 4 + 1280ms);
  CHECK(replayed >= kato + kato / 4);
  CHECK(replayed <= kato + kato / 2);
}

namespace {

// faults.csv of dm-fault-all-paths-retry2-st in /work/tmp-val/val15-check (a loaded guest): p1
// unlinked 3.1 s after its planned time, p2 0.5 s after p1, p1 relinked 1.0 s after p2 went.
constexpr const char* kRetry2Lines =
    "-14875,connected,nvmet_p1\n-14023,connected,nvmet_p2\n11799,io_start\n14877,unlink,nvmet_p1,0\n"
    "15354,unlink,nvmet_p2,0\n16352,link,nvmet_p1,0\n17975,link,nvmet_p2,0\n20944,fio_exit,0\n";

validate::RealRun retry2_run(const sim::Scenario& s, const std::string& lines) {
  validate::RealRun real;
  real.actions = validate::parse_faults_csv(lines, "faults.csv");
  const std::int64_t io_start = 11799;
  const auto applied = validate::applied_fault_times(s, validate::plan_guest(s), real.actions, io_start);
  for (std::size_t i = 0; i < s.faults.size(); ++i) {
    validate::RealFault f;
    f.at_ms = io_start + 1000;
    f.end_ms = io_start + 4000;
    f.applied_ms = applied.at(i).start_ms;
    f.applied_end_ms = applied.at(i).end_ms;
    real.faults.push_back(f);
  }
  return real;
}

// The simulator's no-path window: from the later "fault" event to the earlier "fault-end", on the
// workload's clock (both ports' faults).
sim::Duration no_path_window(sim::Scenario s, const validate::GuestTimeline& t) {
  validate::match_guest_kernel(s);
  validate::replay_guest_timeline(t, s);
  sim::RunResult r = sim::run_scenario(s);
  validate::rebase_to_workload(t, r);
  sim::Duration last_down{}, first_up = sim::Duration::max();
  for (const auto& e : r.events) {
    if (e.kind == "fault") last_down = std::max(last_down, e.at);
    if (e.kind == "fault-end") first_up = std::min(first_up, e.at);
  }
  return first_up - last_down;
}

}  // namespace

// Each fault takes the time of its OWN first action, and its window ends when its own end action
// took effect: in the run above, dm had no path for only 1.0 s (p2 down -> p1 back), under
// no_path_retry 2's two checker intervals, and fio saw 0 errors. Pairing p2's fault with p1's
// unlink and keeping the planned 3 s gave the simulator a 3 s window (and 10013 errors).
TEST_CASE("each fault replays its own actions' lags, at its start and at its end", "[validate][timeline]") {
  const sim::Scenario s = load("validate/scenarios/dm-fault-all-paths-retry2-st.textproto");
  const auto actions = validate::parse_faults_csv(kRetry2Lines, "faults.csv");
  const auto applied = validate::applied_fault_times(s, validate::plan_guest(s), actions, 11799);
  REQUIRE(applied.size() == 2);
  CHECK(applied[0].start_ms == 14877);
  CHECK(applied[0].end_ms == 16352);
  CHECK(applied[1].start_ms == 15354);
  CHECK(applied[1].end_ms == 17975);

  const validate::GuestTimeline t = validate::guest_timeline(retry2_run(s, kRetry2Lines), s);
  REQUIRE(t.fault_lag.size() == 2);
  CHECK(t.fault_lag[0] == 2078ms);
  CHECK(t.fault_lag[1] == 2555ms);
  REQUIRE(t.fault_length_change.size() == 2);
  CHECK(t.fault_length_change[0] == -1525ms);  // 16352 - 14799 (planned end) - 2078
  CHECK(t.fault_length_change[1] == -379ms);   // 17975 - 15799 - 2555

  CHECK(no_path_window(s, t) == 998ms);         // 16352 - 15354: the guest's
  CHECK(no_path_window(s, timeline(t.lead, {2078ms, 2078ms})) == 3000ms);  // the old replay
}

TEST_CASE("lines pair with the planned actions only when action and port agree", "[validate][timeline]") {
  const sim::Scenario s = load("validate/scenarios/dm-fault-all-paths-retry2-st.textproto");
  const validate::GuestPlan plan = validate::plan_guest(s);
  // Cut short: the run ended before p2 was relinked; that action has no line.
  const auto cut = validate::action_line_times(plan, validate::parse_faults_csv("3,unlink,nvmet_p1,0\n4,unlink,nvmet_p2,0\n7,link,nvmet_p1,0\n", "f"));
  CHECK(cut == std::vector<std::int64_t>{3, 4, 7, -1});
  const auto applied = validate::applied_fault_times(s, plan, validate::parse_faults_csv("0,io_start\n1003,unlink,nvmet_p1,0\n1004,unlink,nvmet_p2,0\n4007,link,nvmet_p1,0\n", "f"), 0);
  CHECK(applied.at(0).end_ms == 4007);
  CHECK(applied.at(1).end_ms == -1);  // no line: the planned length stays
  // Out of order (another port first): no pairing, the old rule (first line at or after the
  // planned time) for the start and no end.
  const auto swapped = validate::parse_faults_csv("0,io_start\n1003,unlink,nvmet_p2,0\n1004,unlink,nvmet_p1,0\n", "f");
  CHECK(validate::action_line_times(plan, swapped).empty());
  const auto fallback = validate::applied_fault_times(s, plan, swapped, 0);
  CHECK(fallback.at(1).start_ms == 1003);
  CHECK(fallback.at(1).end_ms == -1);
  // A host reset logs its return too; that line is not an action of its own.
  const sim::Scenario reset = load("validate/scenarios/fault-host-reset-rr.textproto");
  const auto reset_plan = validate::plan_guest(reset);
  REQUIRE(reset_plan.actions.size() == 1);
  CHECK(validate::action_line_times(reset_plan, validate::parse_faults_csv("1200,reset,nvmet_p1,0\n1204,reset_done,nvmet_p1\n", "f")) ==
        std::vector<std::int64_t>{1200});
}

// netem's loss is two tc commands, the host's side first, and the guest records the action after
// the second: in the 8 s blips of /work/tmp-val/reuse13b the faulted port's completions stopped
// 0.1-1.3 s before the record in 9 of 9 runs. The replay starts the fault when they stopped, keeps
// the recorded window's length and counts detection from the record, as the guest does.
TEST_CASE("a netem loss took effect when the port's completions stopped, before its record", "[validate][timeline]") {
  sim::Scenario s = load("validate/scenarios/fault-blip-8s-qd.textproto");
  validate::RealRun real = guest_marks(-1477, 4915, 2050, 1000);  // planned 5915, recorded 7965
  real.faults[0].end_ms = 4915 + 9000;
  real.actions.push_back({15102, "net", "nvmet_p1,0,0,0"});
  real.faults[0].applied_end_ms = 15102;  // its end action, paired by real_run
  real.samples.paths = {"nvmet_p1", "nvmet_p2"};
  for (auto [t, p1] : std::vector<std::pair<std::int64_t, std::uint64_t>>{
           {5800, 3000}, {6500, 3400}, {7157, 3672}, {7517, 3691}, {7781, 3691}, {8076, 3691}}) {
    validate::SampleRow row;
    row.t_ms = t;
    row.paths = {{p1, 0, "live", "optimized"}, {0, 0, "live", "optimized"}};
    real.samples.rows.push_back(row);
  }
  CHECK(validate::took_effect_ms(real, real.faults[0]) == 7517);
  const validate::GuestTimeline t = validate::guest_timeline(real, s);
  REQUIRE(t.fault_early.size() == 1);
  CHECK(t.fault_early[0] == 448ms);
  REQUIRE(t.fault_length_change.size() == 1);
  CHECK(t.fault_length_change[0] == -863ms);  // (15102 - 13915) - 2050: the records' distance is 7137 ms

  const sim::Duration at = s.faults[0].at;
  validate::replay_guest_timeline(t, s);
  CHECK(s.faults[0].at == at + t.lead + 2050ms - 448ms);
  CHECK(std::get<sim::faults::Down>(s.faults[0].kind).duration == 7137ms);

  sim::RunResult r;
  r.faults = {fault_measure("f1", s.faults[0].at, s.faults[0].at + 7137ms)};
  r.faults[0].time_to_detect = 6500ms;
  r.faults[0].stall = 5000ms;
  validate::rebase_to_workload(t, r);
  CHECK(r.faults[0].time_to_detect == 6052ms);
  CHECK(r.faults[0].stall == 5000ms);

  // An idle port, an ANA change or an unlink: the record.
  validate::RealRun idle = real;
  for (auto& row : idle.samples.rows) row.paths[0].reads = 100;
  CHECK(validate::took_effect_ms(idle, idle.faults[0]) == 7965);
  validate::RealRun ana = real;
  ana.actions[3].action = "ana";
  CHECK(validate::took_effect_ms(ana, ana.faults[0]) == 7965);
}

// reuse13b dm-fault-all-paths-retry2-st rep-1: connected at -3363 ms, io_start 2495, p1 unlinked
// at 3805, multipathd's checker ticking at 3748, 4752, ... ms since T0.
TEST_CASE("a dm run's checker ticks in the guest's phase on the simulator's clock", "[validate][timeline][dm]") {
  sim::Scenario s = load("validate/scenarios/dm-fault-all-paths-retry2-st.textproto");
  validate::RealRun real = guest_marks(-3293, 2495, 310, 1000);
  real.dm_checker_ticks_ms = {2745, 3748, 4752, 5755};
  const validate::GuestTimeline t = validate::guest_timeline(real, s);
  REQUIRE(t.lead == 5900ms);  // 2495 + 3363 = 5858 ms, in bins of 100 ms
  // The first tick after the fault (4752) is 2257 ms after io_start, where the simulator's jobs
  // start at the lead.
  REQUIRE(t.dm_checker_tick.has_value());
  CHECK(*t.dm_checker_tick == 5900ms + 2257ms);
  validate::replay_guest_timeline(t, s);
  CHECK(s.policy.params.at("checker_phase_ms") == "157");  // polling 1 s

  real.dm_checker_ticks_ms = {2745};  // none after the fault: the last before it
  CHECK(*validate::guest_timeline(real, s).dm_checker_tick == 5900ms + 250ms);
  real.dm_checker_ticks_ms.clear();
  CHECK_FALSE(validate::guest_timeline(real, s).dm_checker_tick.has_value());

  sim::Scenario native = load("validate/scenarios/fault-silent-loss-rr.textproto");
  validate::replay_guest_timeline(t, native);
  CHECK(native.policy.params.count("checker_phase_ms") == 0);
}
