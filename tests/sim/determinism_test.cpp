// Same scenario, same seed -> the same RunResult, field by field (via a canonical dump).
#include <catch2/catch.hpp>

#include <sstream>

#include "scenario_fixture.h"

using namespace mpsim;
using namespace mpsim::sim;
using namespace mpsim::sim::testing;

namespace {

void dump(std::ostream& o, const LatencyStats& l) {
  o << l.count << ' ' << l.min_ns << ' ' << l.max_ns << ' ' << l.mean_ns << ' ' << l.stddev_ns;
  for (const auto& [p, v] : l.percentiles) o << ' ' << p << '=' << v;
  o << '\n';
}

void dump(std::ostream& o, const DirectionStats& d) {
  o << d.total_ios << ' ' << d.io_bytes << ' ' << d.errors << ' ' << d.runtime.count() << '\n';
  dump(o, d.clat);
  dump(o, d.lat);
}

std::string dump(const RunResult& r) {
  std::ostringstream o;
  o.precision(17);
  o << r.scenario << ' ' << r.policy << ' ' << r.seed << ' ' << r.simulated.count() << ' ' << r.simulated_ios << '\n';
  for (const auto& j : r.jobs) {
    o << j.name << ' ' << j.host << ' ' << j.nqn << ' ' << j.nsid << '\n';
    dump(o, j.read);
    dump(o, j.write);
  }
  for (const auto& p : r.paths)
    o << r.head(p).host << r.head(p).nqn << r.head(p).nsid << r.controller(p) << ' ' << p.ios << ' ' << p.share << ' ' << p.failed_over_ios << ' '
      << p.failover_events << ' '
      << p.retries << '\n';
  r.for_each_timeline_row([&](const TimelineRow& t) {
    o << t.start.count() << t.controller << ' ' << t.completions << ' ' << t.iops << ' ' << t.p50_ns << ' '
      << t.p99_ns << ' ' << t.max_ns << '\n';
  });
  for (const auto& e : r.events) o << e.at.count() << e.kind << e.subject << e.detail << '\n';
  for (const auto& f : r.faults)
    o << f.label << f.at.count() << ' ' << f.end.count() << ' ' << f.stall.count() << ' ' << f.p99_during_ns << ' '
      << f.p99_steady_ns << ' ' << f.time_to_detect.count() << ' ' << f.time_to_full_throughput.count() << '\n';
  o << r.ledger.submitted << ' ' << r.ledger.completed << ' ' << r.ledger.failed << ' ' << r.ledger.inflight_at_end;
  for (const auto& [k, v] : r.ledger.failed_by_reason) o << ' ' << k << '=' << v;
  return o.str();
}

Scenario busy_scenario(std::uint64_t seed) {
  Scenario s = scenario(two_path_topology("OPTIMIZED", "options { reconnect_delay_s: 1 }"), "queue-depth",
                        job(32, 2s, 100ms), seed);
  s.jobs[0].rw = RwMode::RandRw;
  s.jobs[0].rwmixread = 70;
  s.jobs[0].numjobs = 2;
  FaultSpec f;
  f.label = "p0 down";
  f.target = "sw-a--t0.p0";
  f.at = 700ms;
  f.kind = faults::Down{Detection::Immediate, 600ms};
  s.faults.push_back(f);
  return s;
}

}  // namespace

TEST_CASE("two runs of the same scenario give identical results", "[sim][determinism]") {
  const std::string a = dump(run_scenario(busy_scenario(7)));
  const std::string b = dump(run_scenario(busy_scenario(7)));
  CHECK(a.size() > 1000);
  CHECK(a == b);
}

TEST_CASE("a different seed gives a different run", "[sim][determinism]") {
  CHECK(dump(run_scenario(busy_scenario(7))) != dump(run_scenario(busy_scenario(8))));
}

TEST_CASE("numjobs clones are named and measured separately; writes take their own path", "[sim][workload]") {
  const RunResult r = run_scenario(busy_scenario(3));
  REQUIRE(r.jobs.size() == 2);
  CHECK(r.jobs[0].name == "j.0");
  CHECK(r.jobs[1].name == "j.1");
  for (const auto& j : r.jobs) {
    const double reads = double(j.read.total_ios), writes = double(j.write.total_ios);
    CHECK(reads / (reads + writes) == Approx(0.7).margin(0.02));
  }
  CHECK(r.ledger.failed == 0);
}

TEST_CASE("a scenario the engine cannot run is refused with a clear error", "[sim][errors]") {
  Scenario s = scenario(two_path_topology(), "numa", job(1, 100ms));
  s.jobs[0].nqn = "nqn.test:nope";
  CHECK_THROWS_WITH(run_scenario(s), Catch::Contains("has no connection to nqn.test:nope"));
  Scenario f = scenario(two_path_topology(), "numa", job(1, 100ms));
  FaultSpec bad;
  bad.label = "typo";
  bad.target = "sw-z";
  f.faults.push_back(bad);
  CHECK_THROWS_WITH(run_scenario(f), Catch::Contains("unknown component \"sw-z\""));
  Scenario m = scenario(two_path_topology(), "numa", job(1, 100ms));
  m.models.media.clear();
  CHECK_THROWS_WITH(run_scenario(m), Catch::Contains("unknown media model"));
}

TEST_CASE("rate_iops paces a job", "[sim][workload]") {
  JobSpec j = job(8, 1s);
  j.rate_iops = 20000;
  const RunResult r = run_scenario(scenario(two_path_topology(), "numa", j));
  CHECK(r.jobs[0].read.iops() == Approx(20000).epsilon(0.01));
}

TEST_CASE("large writes pay the R2T round trip", "[sim][latency]") {
  auto mean_write = [](std::uint32_t bs) {
    JobSpec j = job(1, 200ms);
    j.rw = RwMode::RandWrite;
    j.block_size = bs;
    Scenario s = scenario(two_path_topology(), "numa", j);
    s.models.media["nand-tlc-gen4"].latency_cv = 0;
    return run_scenario(s).jobs[0].write.clat.mean_ns;
  };
  // 8 KiB fits in the capsule (inline_data_size 8 KiB); 8 KiB + 4 KiB needs an R2T: one more
  // round trip (>= 2 x 4 us of propagation) on top of the extra bytes.
  CHECK(mean_write(12288) - mean_write(8192) > 8000);
}
