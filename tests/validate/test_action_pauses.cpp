// The guest's own fault actions take its one CPU (validate/README.md, "The harness's CPU at each
// action"): how long they ran (action_windows) and the simulated host's pauses that stand for
// them (with_extra_pauses).
#include <catch2/catch.hpp>

#include <cmath>

#include "experiments/experiment_loader.h"
#include "scenario_file.h"
#include "sim/engine.h"
#include "validate/boot_probe.h"
#include "validate/calibration.h"
#include "validate/guest_plan.h"
#include "validate/guest_timeline.h"
#include "measured_calibration.h"

using namespace mpsim;
using namespace mpsim::validate;

namespace {

// fault-flap-numa's full15 repetition 1 (faults.csv as the guest wrote it): planned at io_start +
// 1000, 1500, 2000 and 2500 ms, lines 315, 360, 332 and 285 ms later.
constexpr const char* kFlapLines =
    "-386,connected,nvmet_p1\n-216,connected,nvmet_p2\n2287,io_start\n3602,unlink,nvmet_p1,0\n4147,link,nvmet_p1,0\n"
    "4619,unlink,nvmet_p1,0\n5072,link,nvmet_p1,0\n7515,fio_exit,0\n";

RealRun run_with(const char* lines) {
  RealRun real;
  real.actions = parse_faults_csv(lines, "faults.csv");
  return real;
}

double p99_us(const sim::RunResult& r) {
  for (const auto& [q, ns] : r.jobs.at(0).read.clat.percentiles) {
    if (q == 99.0) return double(ns) / 1000.0;
  }
  FAIL("no p99");
  return 0;
}

}  // namespace

TEST_CASE("an action's window runs from its planned time to its line; a host reset has none", "[validate][harness]") {
  const sim::Scenario flap = testing::load("validate/scenarios/fault-flap-numa.textproto");
  const ActionWindows w = action_windows(run_with(kFlapLines), flap);
  CHECK(w.total_ms == 315 + 360 + 332 + 285);
  CHECK(w.workload_ms == 7515 - 2287);

  // Lines that do not pair with the plan (another port), or no fio_exit: nothing to add.
  CHECK(action_windows(run_with("0,io_start\n1300,unlink,nvmet_p2,0\n5000,fio_exit,0\n"), flap).total_ms == 0);
  CHECK(action_windows(run_with("0,io_start\n1300,unlink,nvmet_p1,0\n"), flap).workload_ms == 0);
  // A steady run has no actions.
  const sim::Scenario steady = testing::load("validate/scenarios/steady-opt-opt-numa.textproto");
  CHECK(action_windows(run_with("0,io_start\n2000,fio_exit,0\n"), steady).total_ms == 0);

  // A host reset's line is when its write began: its lag is the runner's own wake-up, no window.
  const sim::Scenario reset = testing::load("validate/scenarios/fault-host-reset-rr.textproto");
  REQUIRE(plan_guest(reset).actions.size() == 1);
  const std::string at = std::to_string(1000 + plan_guest(reset).actions[0].at_ms + 170);
  const std::string lines = "1000,io_start\n" + at + ",reset,nvmet_p1,0\n" + at + ",reset_done,nvmet_p1\n9000,fio_exit,0\n";
  CHECK(action_windows(run_with(lines.c_str()), reset).total_ms == 0);
}

TEST_CASE("the actions' pauses add their lost time and lengthen the tail, not the CPU cost", "[validate][harness]") {
  const CalibrationFit fit = fit_calibration(testing::final2_runs());
  REQUIRE(fit.pause_rate_per_s > 0);
  const double before = fit.pause_rate_per_s * fit.pause_mean_us / 1e6;

  const CalibrationFit same = with_extra_pauses(fit, 0.0, kActionPauseMeanUs);
  CHECK(same.pause_rate_per_s == fit.pause_rate_per_s);
  CHECK(same.pause_mean_us == fit.pause_mean_us);

  // flap repetition 1: 0.32 x 1292 ms of windows over a 5228 ms workload
  const double lost = kActionPausedShare * 1292.0 / 5228.0;
  const CalibrationFit paused = with_extra_pauses(fit, lost, kActionPauseMeanUs);
  CHECK(paused.pause_rate_per_s * paused.pause_mean_us / 1e6 == Approx(before + lost));
  CHECK(paused.cpu_available == Approx(1.0 / (1.0 + before + lost)));
  CHECK(paused.pause_mean_us > fit.pause_mean_us);       // the long pauses reach further
  CHECK(paused.pause_mean_us < kActionPauseMeanUs);      // ... diluted by the many short ones
  CHECK(paused.read_cpu_per_io_us == fit.read_cpu_per_io_us);
  CHECK(paused.cpu_per_io_us == fit.cpu_per_io_us);
  CHECK(paused.per_call_us == fit.per_call_us);

  // Without any pauses before, a stream too sparse to reach a QD16 read's p99 (0.8 % of them hit)
  // keeps its own length.
  CalibrationFit quiet = fit;
  quiet.pause_rate_per_s = 0;
  quiet.pause_mean_us = 0;
  quiet.cpu_available = 1;
  const CalibrationFit alone = with_extra_pauses(quiet, 0.2, kActionPauseMeanUs);
  CHECK(alone.pause_mean_us == Approx(kActionPauseMeanUs).epsilon(0.02));
  CHECK(alone.pause_rate_per_s == Approx(0.2 / kActionPauseMeanUs * 1e6).epsilon(0.02));

  // The simulator given both runs the QD16 read slower by about the lost time, with a longer p99.
  sim::Scenario s = boot_probe_scenario(MPSIM_SOURCE_DIR);
  s.jobs.at(0).runtime = std::chrono::seconds(4);
  sim::Scenario t = s;
  apply_calibration(fit, s);
  apply_calibration(paused, t);
  const sim::RunResult a = sim::run_scenario(s), b = sim::run_scenario(t);
  INFO("IOPS " << a.jobs.at(0).read.iops() << " -> " << b.jobs.at(0).read.iops() << ", p99 " << p99_us(a) << " -> " << p99_us(b));
  CHECK(b.jobs.at(0).read.iops() == Approx(a.jobs.at(0).read.iops() * (1 + before) / (1 + before + lost)).epsilon(0.05));
  CHECK(p99_us(b) > p99_us(a));
}

TEST_CASE("the report says how many runs got the harness's pauses, and only when some did", "[validate][harness]") {
  CHECK(format_boot_probes({3, 1}).find("harness") == std::string::npos);
  const std::string text = format_boot_probes({3, 1, 2, 826.9});
  CHECK(text.find("harness pauses: 2 runs' simulated hosts paused 827 ms in all") != std::string::npos);
  CHECK(text.find("not a model of the product") != std::string::npos);
}
