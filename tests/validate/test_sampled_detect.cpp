// The simulator's detection seen through the guest's sampler (validate/sampled_detect.h): a host
// reset that reconnects between two samples is "none" on both sides; one the sampler could see,
// or a change that does not come back, keeps the simulator's own time.
#include <catch2/catch.hpp>

#include "validate/compare.h"
#include "validate/sampled_detect.h"
#include "compare_rows.h"

using namespace mpsim;
using namespace mpsim::validate;
using mpsim::validate::testing::find_row;
using namespace std::chrono_literals;

namespace {

// Samples every 25 ms on a clock where the fault was planned at 5000 ms.
SampleTable samples_every_25ms() {
  SampleTable t;
  for (std::int64_t ms = 4000; ms <= 7000; ms += 25) t.rows.push_back({ms, {}});
  return t;
}

sim::FaultMeasure fault_at_1s_detected_after(sim::Duration d) {
  sim::FaultMeasure f;
  f.at = 1s;
  f.time_to_detect = d;
  return f;
}

}  // namespace

TEST_CASE("a reset that is live again before the next sample is none, as the sampler saw it", "[validate][detect]") {
  const SampleTable samples = samples_every_25ms();
  const sim::FaultMeasure f = fault_at_1s_detected_after(0ms);
  std::vector<sim::EventRow> events = {
      {1s, "ctrl-state", "guest/nvmet.p1", "live->resetting (reset)"},
      {1s, "ctrl-state", "guest/nvmet.p1", "resetting->connecting (reset: reconnecting)"},
      {1s + 17us, "ctrl-state", "guest/nvmet.p1", "connecting->live (connected)"}};
  CHECK(detect_as_sampled(f, events, samples, 5001).count() == -1);  // next sample at 5025, live since 5001

  // Live again only after the next sample: the sampler sees it at once.
  events[2].at = 1s + 40ms;
  CHECK(detect_as_sampled(f, events, samples, 5001) == 0ms);

  // Hidden first episode, then a change the sampler can see: detection moves to it.
  events[2].at = 1s + 17us;
  events.push_back({1s + 300ms, "ctrl-state", "guest/nvmet.p1", "live->connecting (keep-alive timeout)"});
  CHECK(detect_as_sampled(f, events, samples, 5001) == 300ms);

  // Another controller's changes are not this fault's detection.
  events.back().subject = "guest/nvmet.p2";
  CHECK(detect_as_sampled(f, events, samples, 5001).count() == -1);
}

TEST_CASE("a change that does not return to live, an ANA change, or no samples keep the simulator's time",
          "[validate][detect]") {
  const SampleTable samples = samples_every_25ms();
  const sim::FaultMeasure f = fault_at_1s_detected_after(2ms);
  const std::vector<sim::EventRow> down = {{1s + 2ms, "ctrl-state", "guest/nvmet.p1", "live->connecting (transport error)"}};
  CHECK(detect_as_sampled(f, down, samples, 5000) == 2ms);
  const std::vector<sim::EventRow> ana = {{1s + 2ms, "ana", "guest/nvmet.p1", "h grp 1: optimized->inaccessible"},
                                          {1s + 3ms, "ana", "guest/nvmet.p1", "h grp 1: inaccessible->optimized"}};
  CHECK(detect_as_sampled(f, ana, samples, 5000) == 2ms);
  CHECK(detect_as_sampled(f, down, SampleTable{}, 5000) == 2ms);
  CHECK(detect_as_sampled(fault_at_1s_detected_after(sim::Duration{-1}), down, samples, 5000).count() == -1);
}

TEST_CASE("the detect row compares the kernel's none with the simulator's hidden reset", "[validate][detect]") {
  RealRun real;
  real.iops = 1000;
  real.samples = samples_every_25ms();
  RealFault r;
  r.label = "f1";
  r.at_ms = 5001;
  r.time_to_detect_ms = -1;
  real.faults = {r};
  sim::RunResult sim;
  sim.faults = {fault_at_1s_detected_after(0ms)};
  sim.events = {{1s, "ctrl-state", "guest/nvmet.p1", "live->resetting (reset)"},
                {1s + 17us, "ctrl-state", "guest/nvmet.p1", "connecting->live (connected)"}};
  const std::vector<CompareRow> rows = compare_runs(real, sim);
  const CompareRow* row = find_row(rows, "detect_ms f1");
  REQUIRE(row);
  CHECK(row->sim == -1);
  CHECK(row->pass);
}
