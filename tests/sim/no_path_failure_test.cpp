// An I/O failed without a usable path never leaves the host, but failing it is not free: the
// submitting thread runs the block layer, the head's "no path" and the error completion before
// fio reaps the error. A job that carries on past errors (continue_on_error) therefore fails at
// most one I/O per host CPU time per I/O, and a host with no such cost stops the run instead of
// resubmitting at one instant forever.
#include <catch2/catch.hpp>

#include "scenario_fixture.h"

using namespace mpsim;
using namespace mpsim::sim;
using namespace mpsim::sim::testing;

namespace {

constexpr std::int64_t kCostNs = 10'000;  // the host's CPU time per I/O in these runs

// Both ports gone for good at 100 ms; fast_io_fail_tmo 0.2 s: from 300 ms on native NVMe has no
// available path and fails every new I/O at once (failfast-expired). The job starts at 1 s and runs 100 ms on a
// host of 8 cores.
Scenario no_path(ContinueOnError coe, double per_io_us = kCostNs / 1000.0) {
  JobSpec j = job(16, 100ms);
  j.start_delay = 1s;
  j.continue_on_error = coe;
  Scenario s = scenario(two_path_topology("OPTIMIZED", "options { reconnect_delay_s: 1 fast_io_fail_tmo_s: 0.2 }"),
                        "round-robin", j);
  s.models.host_cpu.per_io_us = per_io_us;
  s.models.host_cpu.per_kib_us = 0;
  s.faults.push_back(fault(faults::Down{Detection::Immediate, Duration(-1)}, "t0.p0", 100ms));
  s.faults.push_back(fault(faults::Down{Detection::Immediate, Duration(-1)}, "t0.p1", 100ms));
  return s;
}

}  // namespace

TEST_CASE("no path: a failed I/O reaches fio only after the host CPU time of failing it", "[sim][fault][cpu]") {
  const RunResult r = run_scenario(no_path(ContinueOnError::None));
  REQUIRE(r.jobs.size() == 1);
  CHECK(r.jobs[0].stopped_by_error);
  CHECK(r.jobs[0].error_reason == "failfast-expired");
  CHECK(r.ledger.balanced());
  // The 16 I/Os of the job's first io_submit all fail, one after another on fio's thread.
  CHECK(r.jobs[0].read.errors == 16);
  const FaultMeasure& f = r.faults.at(0);
  CHECK(f.failed_during == 16);
  CHECK(f.p99_during_ns >= 15 * kCostNs);
  CHECK(f.p99_during_ns <= 16 * kCostNs + kCostNs / 10);
}

TEST_CASE("no path: continue_on_error fails one I/O per host CPU time per I/O, and the run ends",
          "[sim][fault][cpu][errors]") {
  const RunResult r = run_scenario(no_path(ContinueOnError::All));
  REQUIRE(r.jobs.size() == 1);
  CHECK_FALSE(r.jobs[0].stopped_by_error);
  CHECK(r.ledger.balanced());
  CHECK(r.ledger.completed == 0);
  // 100 ms of fio's thread failing I/O at 10 us each.
  const auto window = std::uint64_t(100'000'000 / kCostNs);
  CHECK(r.jobs[0].read.errors >= window - 16);
  CHECK(r.jobs[0].read.errors <= window + 16);
}

TEST_CASE("no path: a host without CPU cost per I/O stops a job that would fail and resubmit at one instant",
          "[sim][fault][cpu][errors][limits]") {
  CHECK_THROWS_WITH(run_scenario(no_path(ContinueOnError::All, 0)),
                    Catch::Contains("job \"j\" on host h0") && Catch::Contains("failfast-expired") &&
                        Catch::Contains("continue_on_error all") && Catch::Contains("models.host_cpu.per_io_us > 0"));
  // Without continue_on_error the first error ends the job: the same host runs to its end.
  const RunResult stops = run_scenario(no_path(ContinueOnError::None, 0));
  CHECK(stops.jobs.at(0).stopped_by_error);
  CHECK(stops.faults.at(0).p99_during_ns == 0);
}
