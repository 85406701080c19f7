// fio's per-I/O latency logs (JobSpec::per_io_lat_log, sim/fio_lat_log.h): each time one fills,
// fio drains its queue before it submits again, so a command stuck on a lost path stalls the job.
#include <catch2/catch.hpp>

#include <vector>

#include "scenario_fixture.h"
#include "sim/fio_lat_log.h"

using namespace mpsim;
using namespace mpsim::sim;
using namespace mpsim::sim::testing;

namespace {

// The submission counts at which the log asks for a regrow, regrowing each time it does.
std::vector<std::uint64_t> regrow_points(std::uint32_t log_entries, std::uint64_t submissions) {
  FioLatencyLogs logs;
  std::vector<std::uint64_t> at;
  for (std::uint64_t n = 1; n <= submissions; ++n) {
    logs.submitted(log_entries);
    if (!logs.regrow_due()) continue;
    at.push_back(n);
    logs.regrow();
  }
  return at;
}

RunResult silent_loss_qd(bool lat_log, std::uint32_t log_entries = 1024) {
  Scenario s = guest_like("queue-depth", 0.5, 0.11);
  s.jobs[0].runtime = 10s;
  s.jobs[0].per_io_lat_log = lat_log;
  s.jobs[0].log_entries = log_entries;
  s.faults.push_back(fault(faults::Down{Detection::Silent, Duration(-1)}, "sw-a--t0.p0", 1s));
  return run_scenario(s);
}

}  // namespace

TEST_CASE("fio latency log: chunks of log_entries, then twice the last, at most 1M", "[sim][fio]") {
  // 1024 | +2048 | +4096 | +8192 | +16384: a sample past each total flags the regrow.
  CHECK(regrow_points(1024, 40000) == std::vector<std::uint64_t>{1025, 3073, 7169, 15361, 31745});
  const auto big = regrow_points(1024 * 1024, 5 * 1024 * 1024);  // the chunk stays at the 1M cap
  CHECK(big == std::vector<std::uint64_t>{1048577, 2097153, 3145729, 4194305});
  // Completions lag the submissions: the regrow covers every log that is full by then.
  FioLatencyLogs logs;
  for (int n = 0; n < 1025; ++n) logs.submitted(1024);
  for (int n = 0; n < 1024; ++n) logs.completed(1024);
  CHECK(logs.regrow_due());
  logs.completed(1024);  // the last I/O in flight lands before fio regrows
  logs.regrow();
  CHECK_FALSE(logs.regrow_due());
}

TEST_CASE("fio latency log: a command stuck on a silently lost path stalls queue-depth at the next growth",
          "[sim][fault][fio]") {
  // Without the log the other path carries the job; only the commands left on the lost one wait.
  const RunResult none = silent_loss_qd(false);
  CHECK(none.faults.at(0).stall < 100ms);
  CHECK(none.faults.at(0).time_to_detect > 5s);
  // With it, fio drains its queue at its 15361st submission (~1.1 s at ~14k IOPS) and waits for
  // the lost command until keep-alive gives up on it: the rest of the time to detect.
  const RunResult logged = silent_loss_qd(true);
  const auto& f = logged.faults.at(0);
  CHECK(f.stall > f.time_to_detect - 500ms);
  CHECK(f.stall < f.time_to_detect + 100ms);
  CHECK(logged.ledger.failed == 0);
  CHECK(logged.ledger.balanced());
  // The first chunk of 1M samples is not full within the run: no drain, no stall.
  CHECK(silent_loss_qd(true, 1024 * 1024).faults.at(0).stall < 100ms);
}

TEST_CASE("fio latency log: a healthy job pays a few drains of its queue", "[sim][fio]") {
  Scenario plain = guest_like("queue-depth", 0.5, 0.11);
  plain.jobs[0].runtime = 2s;
  Scenario logged = plain;
  logged.jobs[0].per_io_lat_log = true;
  const double a = run_scenario(plain).jobs.at(0).read.iops();
  const double b = run_scenario(logged).jobs.at(0).read.iops();
  CHECK(b == Approx(a).epsilon(0.01));
}
