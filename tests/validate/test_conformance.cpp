// Per-phase conformance: phases cut at fault boundaries, the settle window, the 1% choice
// threshold, too-short phases and share rows only for round-robin and queue-depth.
#include <catch2/catch.hpp>

#include <algorithm>

#include "validate/conformance.h"
#include "compare_rows.h"

using namespace mpsim;
using namespace mpsim::validate;
using mpsim::validate::testing::find_row;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> kPorts = {"nvmet.p1", "nvmet.p2"};
const std::vector<std::string> kCtrls = {"guest/nvmet.p1", "guest/nvmet.p2"};

// Real side of a port-down fault under round-robin: workload starts (io_start) at 500 ms,
// p1 goes down at planned 1000 ms (applied at 1550 absolute), comes back at planned 2000 ms
// (applied 2580) and reconnects at 2800. Samples every 20 ms; 50 I/Os per path per sample
// while both carry I/O, 100 on the survivor otherwise.
RealRun real_down_up(const std::string& policy = "round-robin") {
  RealRun r;
  r.policy = policy;
  r.measure_from_ms = 500;
  r.measure_to_ms = 3500;
  r.paths = {{"nvmet.p1", "guest/nvmet.p1", 0, 0.5}, {"nvmet.p2", "guest/nvmet.p2", 0, 0.5}};
  r.actions = {{500, "io_start", ""}, {1550, "unlink", "nvmet_p1,0"}, {2580, "link", "nvmet_p1,0"}, {3600, "fio_exit", "0"}};
  r.samples.paths = {"nvmet_p1", "nvmet_p2"};
  std::uint64_t p1 = 0, p2 = 0;
  for (std::int64_t t = 0; t <= 3600; t += 20) {
    const bool p1_up = t < 1560 || t >= 2800;
    SampleRow row{t, {{p1, 0, p1_up ? "live" : "connecting", "optimized"}, {p2, 0, "live", "optimized"}}};
    r.samples.rows.push_back(row);
    if (t >= 500) {
      p1 += p1_up ? 50 : 0;
      p2 += p1_up ? 50 : 100;
    }
  }
  return r;
}

// Bin k of the timeline: all paths, then kCtrls' series (100 ms bins, grown as needed).
void bin(sim::RunResult& r, std::size_t k, std::uint64_t p1, std::uint64_t p2) {
  if (r.timeline.series() == 0) r.timeline = sim::Timeline(100ms, 1 + kCtrls.size());
  if (r.timeline.intervals() <= k) r.timeline.resize(k + 1);
  r.timeline.at(k, 0).completions = p1 + p2;
  r.timeline.at(k, 1).completions = p1;
  r.timeline.at(k, 2).completions = p2;
}

// The simulator's side of the same scenario: 100 ms bins, p1 down from 1000 to its reconnect
// at 2300 ms; `p1_share_after` of the I/O on p1 once it is back.
sim::RunResult sim_down_up(double p1_share_after = 0.5) {
  sim::RunResult r;
  r.simulated = 3000ms;
  r.controllers = kCtrls;
  r.events = {{sim::Duration(500'000), "ctrl-state", kCtrls[0], "new->live"},
              {1000ms, "fault", "nvmet.p1", "f1: nvmet.p1 down at 1s: down"},
              {1000ms, "ctrl-state", kCtrls[0], "live->connecting"},
              {1000ms, "failover", kCtrls[0], "requeue"},
              {2000ms, "fault-end", "nvmet.p1", "f1: nvmet.p1 down at 1s: up"},
              {2300ms, "ctrl-state", kCtrls[0], "connecting->live"}};
  for (std::size_t k = 0; k < 30; ++k) {
    if (k < 10) bin(r, k, 2500, 2500);
    else if (k < 23) bin(r, k, 0, 5000);
    else bin(r, k, static_cast<std::uint64_t>(5000 * p1_share_after), static_cast<std::uint64_t>(5000 * (1 - p1_share_after)));
  }
  return r;
}

}  // namespace

TEST_CASE("phases are cut at fault events, same-instant actions are one boundary", "[validate][conformance]") {
  sim::RunResult r = sim_down_up();
  auto b = phase_boundaries(r);
  REQUIRE(b.size() == 2);
  CHECK(b[0].label == "f1: down");  // the fault's number and what the action did
  CHECK(b[0].planned_ms == 1000);
  CHECK(b[1].label == "f1: up");
  CHECK(b[1].planned_ms == 2000);

  r.events.insert(r.events.begin() + 2, {1000ms, "fault", "nvmet.p2", "f2: nvmet.p2 grp 1 inaccessible at 1s: grp 1 inaccessible"});
  b = phase_boundaries(r);
  REQUIRE(b.size() == 2);
  CHECK(b[0].label == "f1: down + f2: grp 1 inaccessible");
  CHECK(b[0].actions == 2);
}

TEST_CASE("each boundary takes the time the guest logged its last action as applied", "[validate][conformance]") {
  std::vector<PhaseBoundary> b = {{"f1+f2", 1000, 2}, {"f1 end", 1500, 1}};
  std::vector<FaultRecord> log = {{300, "io_start", ""}, {1420, "ana", "p1"}, {1460, "ana", "p2"}, {1990, "ana", "p1"}, {4000, "fio_exit", ""}};
  CHECK(applied_boundaries(b, log, 300) == std::vector<std::int64_t>{1460, 1990});
  // Lines and actions do not pair up: each line goes to the latest boundary planned before it.
  log.erase(log.begin() + 2);
  CHECK(applied_boundaries(b, log, 300) == std::vector<std::int64_t>{1420, 1990});
  // Paired lines are the guest's times even before the boundary (the simulator replays a fault's
  // first lag for all its actions; this end action lagged less).
  CHECK(applied_boundaries({{"f1", 1164, 1}, {"f1 end", 2664, 1}}, {{1522, "io_start", ""}, {2686, "ana", "p1"}, {4125, "ana", "p1"}},
                           1522) == std::vector<std::int64_t>{2686, 4125});
  CHECK(first_action_times(b, {{300, "io_start", ""}, {1420, "ana", "p1"}, {1460, "ana", "p2"}, {1990, "ana", "p1"}}, 300) ==
        std::vector<std::int64_t>{1420, 1990});
  // No line at all: the planned time.
  CHECK(applied_boundaries(b, {{300, "io_start", ""}}, 300) == std::vector<std::int64_t>{1300, 1800});
}

TEST_CASE("the real window starts 100 ms after the last state change of the phase", "[validate][conformance]") {
  const RealRun r = real_down_up();
  // Phase after "up": applied at 2580, but p1 reconnects only at 2800.
  PhaseWindow w = real_phase_window(r.samples, 2500, 2580, 3500);
  CHECK(w.from_ms == 2900);
  CHECK(w.to_ms == 3500);
  CHECK(w.ios == std::vector<std::uint64_t>{1500, 1500});  // 30 samples of 50 each: the transient is left out
  // Phase after "down": the change was sampled at 1560, after the action's 1550.
  w = real_phase_window(r.samples, 1500, 1550, 2500);
  CHECK(w.from_ms == 1660);
  CHECK(w.ios[0] == 0);
  // No state change at all (a gray failure): 100 ms after the action took effect.
  w = real_phase_window(r.samples, 500, 500, 1500);
  CHECK(w.from_ms == 600);
  CHECK(w.ios == std::vector<std::uint64_t>{2250, 2250});
}

TEST_CASE("a real window edge skips a sample whose paths were read far apart", "[validate][conformance]") {
  RealRun r = real_down_up();
  // The sampler was descheduled between reading p1 and p2 at 600 ms: p2 already shows 500 more
  // I/Os, and the next sample came 60 ms later instead of 20.
  auto& rows = r.samples.rows;
  rows.erase(std::remove_if(rows.begin(), rows.end(), [](const SampleRow& x) { return x.t_ms == 620 || x.t_ms == 640; }),
             rows.end());
  for (auto& x : rows) {
    if (x.t_ms == 600) x.paths[1].reads += 500;
  }
  PhaseWindow w = real_phase_window(r.samples, 500, 500, 1500);
  CHECK(w.from_ms == 660);
  CHECK(w.ios == std::vector<std::uint64_t>{2100, 2100});
  // The same at the end: a late sample before 1500 moves the edge to the one before it.
  for (auto& x : rows) {
    if (x.t_ms >= 1480) x.t_ms += 40;  // 1460 is now followed 60 ms later
  }
  w = real_phase_window(r.samples, 500, 500, 1500);
  CHECK(w.to_ms == 1440);  // gaps: 1440 -> 1460 is 20 ms, 1460 -> 1520 is 60 ms

  // The next action starved the sampler for its last 100 ms: the window ends at the last sample.
  rows.erase(std::remove_if(rows.begin(), rows.end(), [](const SampleRow& x) { return x.t_ms > 1380 && x.t_ms < 1600; }),
             rows.end());
  w = real_phase_window(r.samples, 500, 500, 1500);
  CHECK(w.to_ms == 1380);
}

TEST_CASE("a real window starts at the first sample after the settle when the sampler is slower than the edge search",
          "[validate][conformance]") {
  RealRun r = real_down_up();
  // A loaded host: the sampler saw nothing between 1580 and 1700 (the settle is at 1660, the
  // search span 1660-1720 holds no sample; seen in a three-way run at load 13, samples 75 ms apart).
  auto& rows = r.samples.rows;
  rows.erase(std::remove_if(rows.begin(), rows.end(), [](const SampleRow& x) { return x.t_ms > 1560 && x.t_ms < 1740; }),
             rows.end());
  PhaseWindow w = real_phase_window(r.samples, 1500, 1550, 2500);
  CHECK(w.from_ms == 1740);
  CHECK(w.to_ms > w.from_ms);
  CHECK(w.ios[0] == 0);
  CHECK(w.ios[1] > 0);
}

TEST_CASE("the simulator's window is the whole timeline bins after its own settle", "[validate][conformance]") {
  const sim::RunResult r = sim_down_up();
  PhaseWindow w = sim_phase_window(r, kCtrls, 2000, 3000);  // reconnect at 2300: bins from 2400
  CHECK(w.from_ms == 2400);
  CHECK(w.to_ms == 3000);
  CHECK(w.ios == std::vector<std::uint64_t>{15000, 15000});
  w = sim_phase_window(r, kCtrls, 1000, 2000);  // change at 1000 (the failover event is not a state)
  CHECK(w.from_ms == 1100);
  CHECK(w.ios == std::vector<std::uint64_t>{0, 45000});
  // A window that ends before a whole bin fits is empty.
  w = sim_phase_window(r, kCtrls, 2000, 2450);
  CHECK(w.length_ms() == 0);
  CHECK(w.total() == 0);
}

TEST_CASE("a path is chosen at 1% of the phase's I/O; too little to judge says so", "[validate][conformance]") {
  CHECK(phase_choice({0, 500, {990, 10}}, kPorts) == "nvmet.p1+nvmet.p2");
  CHECK(phase_choice({0, 500, {995, 5}}, kPorts) == "nvmet.p1");   // 0.5%: stray I/O
  CHECK(phase_choice({0, 500, {0, 0}}, kPorts) == "none");         // everything queued: a choice
  CHECK(phase_choice({0, 500, {150, 0}}, kPorts) == "too short (500 ms, 150 I/Os)");
  CHECK(phase_choice({0, 80, {5000, 0}}, kPorts) == "too short (80 ms, 5000 I/Os)");
}

TEST_CASE("rows per phase: choice always, shares for round-robin and queue-depth only", "[validate][conformance]") {
  auto rows = conformance_rows(real_down_up(), sim_down_up());
  for (const char* m : {"path choice before faults", "path choice after f1: down", "path choice after f1: up",
                        "share nvmet.p1 after f1: down", "share nvmet.p2 after f1: up"}) {
    const CompareRow* r = find_row(rows, m);
    REQUIRE(r != nullptr);
    CHECK(r->pass);
  }
  CHECK(find_row(rows, "path choice after f1: down")->real_text == "nvmet.p2");
  CHECK(rows.size() == 9);  // 3 phases x (choice + 2 shares)

  // The simulator puts 60% on p1 after it returns: the share rows fail, the choice agrees.
  rows = conformance_rows(real_down_up("queue-depth"), sim_down_up(0.6));
  CHECK(find_row(rows, "path choice after f1: up")->pass);
  CHECK_FALSE(find_row(rows, "share nvmet.p1 after f1: up")->pass);
  CHECK(find_row(rows, "share nvmet.p1 after f1: up")->sim == Approx(60.0));

  rows = conformance_rows(real_down_up("numa"), sim_down_up(1.0));
  CHECK(rows.size() == 3);
  CHECK_FALSE(find_row(rows, "path choice after f1: up")->pass);  // real both, sim p1 only
}

TEST_CASE("a too-short phase is not a pass; a run without faults has no phase rows", "[validate][conformance]") {
  RealRun real = real_down_up();
  real.actions[2].t_ms = 2550;  // "up" applied at 2550, but the run ends at 2600
  real.measure_to_ms = 2600;
  auto rows = conformance_rows(real, sim_down_up());
  const CompareRow* up = find_row(rows, "path choice after f1: up");
  REQUIRE(up != nullptr);
  CHECK_FALSE(up->pass);
  CHECK(up->real_text.rfind("too short", 0) == 0);
  CHECK(find_row(rows, "share nvmet.p1 after f1: up") == nullptr);

  sim::RunResult steady = sim_down_up();
  steady.events.clear();
  CHECK(conformance_rows(real_down_up(), steady).empty());
}

TEST_CASE("phase rows are told apart from whole-run rows", "[validate][conformance]") {
  CHECK(is_phase_measure("path choice after f1: down"));
  CHECK(is_phase_measure("path choice before faults"));
  CHECK(is_phase_measure("share nvmet.p1 after f1: grp 1 change"));
  CHECK(is_phase_measure("share nvmet.p2 before faults"));
  CHECK_FALSE(is_phase_measure("path choice"));
  CHECK_FALSE(is_phase_measure("share nvmet.p1"));
  CHECK_FALSE(is_phase_measure("stall_ms f1: p1 down after boot"));
}
