// Metrics that do not hide a freeze: a fault's p99 is taken over every I/O in flight in its
// window (completed late, failed, or still stuck at the end), and failovers count events apart
// from the I/Os they move.
#include <catch2/catch.hpp>

#include "sim/metrics.h"

using namespace mpsim::sim;

namespace {

constexpr std::int64_t kMs = 1'000'000;

Metrics one_host_with_fault(std::int64_t at, std::int64_t end) {
  Metrics m(1, 1, 100 * kMs, 0, 10'000 * kMs, {"h0/t0.p0"});
  FaultTrack f;
  f.label = "f1";
  f.at = at;
  f.end = end;
  f.hosts = {true};
  f.conns = {true};
  m.add_fault(std::move(f));
  return m;
}

}  // namespace

TEST_CASE("a fault's p99 counts the I/Os that were in flight in its window, however late they ended") {
  Metrics m = one_host_with_fault(1000 * kMs, 3000 * kMs);
  // 100 quick completions inside the window (what the old measure saw alone).
  for (int i = 0; i < 100; ++i) m.completion(1100 * kMs + i * kMs, 0, 0, 100'000);
  // Frozen in the window, completed long after it: 7.7 s.
  for (int i = 0; i < 5; ++i) m.completion(8700 * kMs, 0, 0, 7700 * kMs);
  // Submitted after the window ended: not counted.
  m.completion(9000 * kMs, 0, 0, 5000 * kMs - 1);
  RunResult r;
  m.finish(10'000 * kMs, r);
  REQUIRE(r.faults.size() == 1);
  CHECK(r.faults[0].ios_during == 105);
  CHECK(r.faults[0].p99_during_ns > 7000 * kMs);  // 5 of 105 take 7.7 s: p99 is one of them
  CHECK_FALSE(r.faults[0].p99_during_at_least);
}

TEST_CASE("I/Os still in flight at the run's end count with their age then, and mark p99 as a lower bound") {
  Metrics m = one_host_with_fault(1000 * kMs, 4000 * kMs);
  for (int i = 0; i < 10; ++i) m.in_flight_at_end(4000 * kMs, 0, 1000 * kMs);  // silent loss: nothing completes
  RunResult r;
  m.finish(4000 * kMs, r);
  CHECK(r.faults[0].ios_during == 10);
  CHECK(r.faults[0].stuck_during == 10);
  CHECK(r.faults[0].p99_during_ns > 2900 * kMs);  // ~3 s, not 0
  CHECK(r.faults[0].p99_during_at_least);
}

TEST_CASE("failed I/Os in the window count with their time to the error") {
  Metrics m = one_host_with_fault(1000 * kMs, 2000 * kMs);
  for (int i = 0; i < 99; ++i) m.completion(1500 * kMs, 0, 0, 50'000);
  m.failure(2500 * kMs, 0, 1400 * kMs);  // submitted at 1.1 s, failed at 2.5 s
  m.failure(500 * kMs, 0, 10 * kMs);     // before the fault: not counted
  RunResult r;
  m.finish(3000 * kMs, r);
  CHECK(r.faults[0].failed_during == 1);
  CHECK(r.faults[0].ios_during == 100);
  CHECK(r.faults[0].p99_during_ns < kMs);         // 99 of 100 are quick
  CHECK(r.faults[0].p99_during_ns >= 50'000 * 98 / 100);
}

TEST_CASE("a failover event is a path losing its I/O; the I/Os it moves are counted apart") {
  Metrics m = one_host_with_fault(0, 0);
  for (int i = 0; i < 32; ++i) m.moved_off(0, 0);  // one event moves 32 I/Os off path 0
  CHECK(m.failover_events(0, 0) == 1);
  m.served(0, 1);                                  // the other path completing changes nothing
  m.moved_off(0, 0);
  CHECK(m.failover_events(0, 0) == 1);
  m.served(0, 0);                                  // path 0 works again ...
  m.moved_off(0, 0);                               // ... and loses its I/O again: a second event
  CHECK(m.failover_events(0, 0) == 2);
  CHECK(m.failover_events(0, 1) == 0);
  CHECK(m.failover_events(3, 7) == 0);
}

TEST_CASE("the timeline: one point per interval and series, named through the result's controllers") {
  Metrics m(1, 2, 100 * kMs, 0, 1000 * kMs, {"h0/t0.p0", "h0/t0.p1"}, 250 * kMs);  // planned: 3 intervals
  m.completion(50 * kMs, 0, 1, 40'000);
  m.completion(120 * kMs, 0, 0, 60'000);
  m.completion(390 * kMs, 0, 1, 80'000);  // past the planned end: the matrix grows
  RunResult r;
  m.finish(400 * kMs, r);
  REQUIRE(r.timeline.intervals() == 4);
  REQUIRE(r.timeline.series() == 3);
  CHECK(r.controllers == std::vector<std::string>{"h0/t0.p0", "h0/t0.p1"});
  CHECK(r.timeline.at(0, 0).completions == 1);
  CHECK(r.timeline.at(0, 2).completions == 1);
  CHECK(r.timeline.at(0, 1).completions == 0);
  CHECK(r.timeline.at(1, 1).completions == 1);
  CHECK(r.timeline.at(2, 0).completions == 0);
  CHECK(r.timeline.at(3, 2).max_ns == 80'000);
  std::vector<std::string> rows;
  r.for_each_timeline_row([&](const TimelineRow& row) {
    rows.push_back(std::to_string(row.start.count() / kMs) + " " + row.controller + " " + std::to_string(row.completions) +
                   " " + std::to_string(int(row.iops)));
  });
  REQUIRE(rows.size() == 12);
  CHECK(rows[0] == "0  1 10");  // series 0, all paths: no name
  CHECK(rows[2] == "0 h0/t0.p1 1 10");
  CHECK(rows[11] == "300 h0/t0.p1 1 10");
}

TEST_CASE("a timeline rebased on a time between interval starts keeps the later intervals, their starts moved") {
  Timeline t(std::chrono::milliseconds(100), 2);
  t.resize(4);
  for (std::size_t k = 0; k < 4; ++k) t.at(k, 1).completions = k;
  t.rebase(std::chrono::milliseconds(150));
  REQUIRE(t.intervals() == 2);
  CHECK(t.start(0) == std::chrono::milliseconds(50));
  CHECK(t.start(1) == std::chrono::milliseconds(150));
  CHECK(t.at(0, 1).completions == 2);
  CHECK(t.at(1, 1).completions == 3);
  t.rebase(std::chrono::milliseconds(500));
  CHECK(t.intervals() == 0);
}
