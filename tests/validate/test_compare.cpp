// Real vs simulated rows: each measure against its stated tolerance.
#include <catch2/catch.hpp>

#include "validate/compare.h"
#include "compare_rows.h"

using namespace mpsim;
using namespace mpsim::validate;
using mpsim::validate::testing::find_row;
using namespace std::chrono_literals;

namespace {

sim::RunResult simulated(std::uint64_t ios, double share_p1, std::int64_t p50_ns, std::int64_t p99_ns) {
  sim::RunResult r;
  sim::JobResult j;
  j.name = "randread";
  j.read.total_ios = ios;
  j.read.runtime = 2s;
  j.read.lat.percentiles = {{50.0, p50_ns}, {99.0, p99_ns}, {99.9, p99_ns}};
  r.jobs.push_back(j);
  r.controllers = {"guest/nvmet.p1", "guest/nvmet.p2"};
  r.heads = {{"guest", "nqn", 1}};
  r.paths.push_back({0, 0, 0, share_p1, 0, 0});
  r.paths.push_back({0, 1, 0, 1.0 - share_p1, 0, 0});
  sim::FaultMeasure f;
  f.stall = 2900ms;
  r.faults.push_back(f);
  return r;
}

RealRun real_run() {
  RealRun r;
  r.iops = 10000;
  r.p50_ns = 1'000'000;
  r.p99_ns = 5'000'000;
  r.p999_ns = 5'000'000;
  r.jobs.resize(1);
  r.paths = {{"nvmet.p1", "guest/nvmet.p1", 10000, 0.5}, {"nvmet.p2", "guest/nvmet.p2", 10000, 0.5}};
  RealFault f;
  f.label = "f1";
  f.stall_ms = 2950;
  r.faults.push_back(f);
  return r;
}

const CompareRow& row(const std::vector<CompareRow>& rows, const std::string& measure) {
  if (const CompareRow* r = find_row(rows, measure)) return *r;
  FAIL("no row " << measure);
  return rows.front();
}

}  // namespace

TEST_CASE("rows inside tolerance pass, rows outside fail", "[validate][compare]") {
  auto rows = compare_runs(real_run(), simulated(21000, 0.52, 1'100'000, 6'400'000));  // 10500 IOPS
  CHECK(row(rows, "iops").pass);
  CHECK(row(rows, "iops").sim == Approx(10500));
  CHECK(row(rows, "p50_us").pass);          // 10% off, tolerance 15%
  CHECK(row(rows, "p99_us").pass);          // 28% off, tolerance 30%
  CHECK(row(rows, "share nvmet.p1").pass);  // 2 percentage points
  CHECK(row(rows, "stall_ms f1").pass);     // 50 ms off: within 100 ms
  CHECK(row(rows, "errors").pass);

  rows = compare_runs(real_run(), simulated(24000, 0.55, 1'200'000, 7'000'000));
  CHECK_FALSE(row(rows, "iops").pass);      // 20% off
  CHECK_FALSE(row(rows, "p50_us").pass);    // 20% off
  CHECK_FALSE(row(rows, "p99_us").pass);    // 40% off
  CHECK_FALSE(row(rows, "share nvmet.p1").pass);  // 5 percentage points
}

TEST_CASE("validation.json says pass only when every row does", "[validate][compare]") {
  auto good = compare_runs(real_run(), simulated(20000, 0.5, 1'000'000, 5'000'000));
  CHECK(comparison_json("s", good).find("\"pass\": true\n}") != std::string::npos);
  auto bad = compare_runs(real_run(), simulated(2000, 0.5, 1'000'000, 5'000'000));
  CHECK(comparison_json("s", bad).find("\"pass\": false\n}") != std::string::npos);
}

TEST_CASE("path choice is the set of paths carrying at least 1% of the I/O", "[validate][compare]") {
  RealRun real = real_run();
  real.paths[0].share = 0.995;
  real.paths[1].share = 0.005;  // stray I/Os during a failover are not a choice
  CHECK(real_path_choice(real) == "nvmet.p1");
  auto rows = compare_runs(real, simulated(20000, 1.0, 1'000'000, 5'000'000));
  CHECK(row(rows, "path choice").pass);
  CHECK(row(rows, "path choice").sim_text == "nvmet.p1");
  rows = compare_runs(real, simulated(20000, 0.5, 1'000'000, 5'000'000));
  CHECK_FALSE(row(rows, "path choice").pass);
  CHECK(row(rows, "path choice").sim_text == "nvmet.p1+nvmet.p2");
}

TEST_CASE("detect within 20% or 100 ms, recover within 30% or 200 ms, never agrees only with never", "[validate][compare]") {
  RealRun real = real_run();
  real.faults[0].time_to_detect_ms = 1000;
  real.faults[0].time_to_full_throughput_ms = 300;
  sim::RunResult sim = simulated(20000, 0.5, 1'000'000, 5'000'000);
  sim.faults[0].time_to_detect = 1190ms;          // 19% off
  sim.faults[0].time_to_full_throughput = 490ms;  // 190 ms off: within the 200 ms floor
  auto rows = compare_runs(real, sim);
  CHECK(row(rows, "detect_ms f1").pass);
  CHECK(row(rows, "recover_ms f1").pass);
  sim.faults[0].time_to_detect = 1250ms;           // 25% off
  sim.faults[0].time_to_full_throughput = sim::Duration(-1);  // never recovered
  rows = compare_runs(real, sim);
  CHECK_FALSE(row(rows, "detect_ms f1").pass);
  CHECK_FALSE(row(rows, "recover_ms f1").pass);
  CHECK(row(rows, "recover_ms f1").sim == -1);
  real.faults[0].time_to_full_throughput_ms = -1;
  CHECK(row(compare_runs(real, sim), "recover_ms f1").pass);
}

TEST_CASE("a run with faults carries per-phase rows after the whole-run rows", "[validate][compare]") {
  RealRun real = real_run();
  real.policy = "numa";
  real.measure_from_ms = 0;
  real.measure_to_ms = 2000;
  real.actions = {{0, "io_start", ""}, {1000, "ana", "p1"}};
  real.samples.paths = {"p1", "p2"};
  for (std::int64_t t = 0; t <= 2000; t += 20) {
    const bool before = t <= 1000;
    const std::uint64_t p1 = static_cast<std::uint64_t>(std::min<std::int64_t>(t, 1000)) * 10;
    const std::uint64_t p2 = static_cast<std::uint64_t>(std::max<std::int64_t>(t - 1000, 0)) * 10;
    real.samples.rows.push_back({t, {{p1, 0, "live", before ? "optimized" : "inaccessible"}, {p2, 0, "live", "optimized"}}});
  }
  sim::RunResult sim = simulated(20000, 0.5, 1'000'000, 5'000'000);
  sim.simulated = 2s;
  sim.events = {{1000ms, "fault", "nvmet.p1", "f1: nvmet.p1 grp 1 inaccessible at 1s: grp 1 inaccessible"}};
  sim.timeline = sim::Timeline(100ms, 3);  // all paths, then the controllers p1 and p2
  sim.timeline.resize(20);
  for (std::size_t k = 0; k < 20; ++k) {
    sim.timeline.at(k, 0).completions = 1000;
    sim.timeline.at(k, k < 10 ? 1 : 2).completions = 1000;
  }
  auto rows = compare_runs(real, sim);
  CHECK(rows.back().measure == "path choice after f1: grp 1 inaccessible");
  CHECK(rows.back().pass);
  CHECK(rows.back().real_text == "nvmet.p2");
  CHECK(row(rows, "path choice before faults").sim_text == "nvmet.p1");
  CHECK(row(rows, "errors").pass);
}
