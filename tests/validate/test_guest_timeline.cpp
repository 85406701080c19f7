// The simulator replays the guest's timeline: the idle lead before the first I/O and each fault
// action's lag, then reports on the workload's clock again.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

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
  const validate::GuestTimeline t{1200ms, {195ms}};
  validate::replay_guest_timeline(t, s);
  CHECK(s.jobs[0].start_delay == delay + 1200ms);
  CHECK(s.faults[0].at == at + 1200ms + 195ms);

  sim::RunResult r;
  r.simulated = 10s;
  r.timeline = {{1100ms, "", 1, 0, 0, 0, 0}, {1200ms, "", 2, 0, 0, 0, 0}};
  r.events = {{0ms, "ctrl-state", "guest/nvmet.p1", "connecting->live"}};
  r.faults = {sim::FaultMeasure{"f1", 2395ms, 8395ms}};
  validate::rebase_to_workload(t, r);
  CHECK(r.simulated == 8800ms);
  REQUIRE(r.timeline.size() == 1);
  CHECK(r.timeline[0].start == 0ms);
  CHECK(r.timeline[0].completions == 2);
  CHECK(r.events[0].at == -1200ms);
  CHECK(r.faults[0].at == 1195ms);
}

// The guest's kernel sent keep-alives every kato/4 while idle before fio started; the last one
// left the admin queue's timer pending past the lost keep-alive's deadline, so its timeout fired
// at the deadline, not a 1.28 s pad later (real: 2.46-2.70 s after the loss in three runs).
TEST_CASE("an idle lead before the workload lets a lost keep-alive time out at its deadline", "[validate][timeline]") {
  const sim::Scenario s = load("validate/scenarios/fault-silent-loss-rr.textproto");
  const sim::Duration kato = 2s;
  const sim::Duration padded = detect(s, validate::GuestTimeline{0ms, {0ms}});
  const sim::Duration replayed = detect(s, validate::GuestTimeline{1200ms, {195ms}});
  CHECK(padded >= kato + kato / 4 + 1280ms);
  CHECK(replayed >= kato + kato / 4);
  CHECK(replayed <= kato + kato / 2);
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
  REQUIRE(t.fault_length.at(0));
  CHECK(*t.fault_length[0] == 7137ms);  // 15102 - 7965: the records' distance

  const sim::Duration at = s.faults[0].at;
  validate::replay_guest_timeline(t, s);
  CHECK(s.faults[0].at == at + t.lead + 2050ms - 448ms);
  CHECK(std::get<sim::faults::Down>(s.faults[0].kind).duration == 7137ms);

  sim::RunResult r;
  r.faults = {sim::FaultMeasure{"f1", s.faults[0].at, s.faults[0].at + 7137ms}};
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
