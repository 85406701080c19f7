// CpuPool: earliest-free core, and pauses that take a core away (models::CpuParams).
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "sim/cpu_pool.h"
#include "sim/engine.h"
#include "scenario_fixture.h"

using namespace mpsim;
using namespace mpsim::sim;

namespace {

models::CpuParams pauses(double rate_per_s, double mean_us) {
  models::CpuParams p;
  p.pause_rate_per_s = rate_per_s;
  p.pause_mean_us = mean_us;
  return p;
}

std::int64_t pct(const LatencyStats& l, double p) {
  for (const auto& [q, ns] : l.percentiles) {
    if (q == p) return ns;
  }
  FAIL("no percentile " << p);
  return 0;
}

}  // namespace

TEST_CASE("without pauses each piece of work starts on the core free first", "[sim][cpu]") {
  CpuPool pool(3);
  std::vector<std::int64_t> free_at(3, 0);  // the plain model, by hand
  std::int64_t now = 0;
  for (int i = 0; i < 200; ++i) {
    now += (i * 37) % 11;
    const std::int64_t cost = 5 + (i * 13) % 17;
    auto core = std::min_element(free_at.begin(), free_at.end());
    *core = std::max(now, *core) + cost;
    REQUIRE(pool.run(now, cost) == *core);
  }
  CHECK(pool.cores() == 3);
  CHECK(CpuPool(0).cores() == 1);
}

TEST_CASE("zero pause figures are no pauses at all", "[sim][cpu]") {
  CpuPool plain(1), zero_rate(1, pauses(0, 1000), 7), zero_mean(1, pauses(100, 0), 7);
  for (std::int64_t t = 0; t < 100'000'000; t += 50'000) {
    const std::int64_t a = plain.run(t, 60'000);
    REQUIRE(zero_rate.run(t, 60'000) == a);
    REQUIRE(zero_mean.run(t, 60'000) == a);
  }
}

TEST_CASE("work stops while its core is paused and resumes after", "[sim][cpu]") {
  PauseTrack track(100.0, 2000.0, 42);
  const std::int64_t s = track.start(), e = track.end();
  REQUIRE(e > s);
  PauseTrack after = track;
  after.next();
  const std::int64_t gap = after.start() - e;  // available time before the second pause
  REQUIRE(gap > 1000);
  SECTION("work that reaches into the pause finishes that much later") {
    CHECK(track.finish(s - 300, 1000) == e + 700);
  }
  SECTION("work arriving during the pause waits for its end") {
    CHECK(track.finish(s + (e - s) / 2, 1000) == e + 1000);
  }
  SECTION("work that ends before the pause is not touched") {
    CHECK(track.finish(s - 1000, 1000) == s);
  }
  SECTION("work spanning two pauses is held up by both") {
    CHECK(track.finish(s - 10, gap + 20) == after.end() + 10);
  }
  SECTION("no CPU work, no waiting") {
    CHECK(track.finish(s + 1, 0) == s + 1);
  }
}

TEST_CASE("pause rate and length follow the parameters", "[sim][cpu]") {
  const double rate = 100.0, mean_us = 2000.0;
  PauseTrack track(rate, mean_us, 2026);
  const std::int64_t horizon = 200'000'000'000;  // 200 s
  double paused = 0, gaps = 0;
  std::int64_t count = 0, last_end = 0;
  while (track.start() < horizon) {
    gaps += double(track.start() - last_end);
    paused += double(track.end() - track.start());
    last_end = track.end();
    ++count;
    track.next();
  }
  // Pauses start at `rate` per second the core is there: 1 / (10 ms + 2 ms) = 83.3 per second.
  CHECK(double(count) / 200.0 == Approx(1.0 / (1.0 / rate + mean_us * 1e-6)).epsilon(0.03));
  CHECK(paused / double(count) / 1000.0 == Approx(mean_us).epsilon(0.03));
  CHECK(gaps / double(count) / 1e6 == Approx(1000.0 / rate).epsilon(0.03));
}

TEST_CASE("a busy paused core does its work at the available share of the time", "[sim][cpu]") {
  CpuPool pool(1, pauses(100.0, 2000.0), 5);
  std::int64_t done = 0;
  const int n = 200'000;
  for (int i = 0; i < n; ++i) done = pool.run(0, 50'000);  // 10 s of work back to back
  // Lost time per unit of work: rate x mean = 0.2.
  CHECK(double(done) / (double(n) * 50'000.0) == Approx(1.2).epsilon(0.03));
}

TEST_CASE("pauses come from the seed alone: same seed, same schedule; cores differ", "[sim][cpu]") {
  auto trace = [](std::uint64_t seed) {
    CpuPool pool(2, pauses(200.0, 500.0), seed);
    std::vector<std::int64_t> out;
    for (std::int64_t t = 0; t < 50'000'000; t += 20'000) out.push_back(pool.run(t, 30'000));
    return out;
  };
  CHECK(trace(9) == trace(9));
  CHECK(trace(9) != trace(10));
  PauseTrack a(200.0, 500.0, 1), b(200.0, 500.0, 1);
  for (int i = 0; i < 100; ++i, a.next(), b.next()) REQUIRE(a.start() == b.start());
}

TEST_CASE("host CPU pauses in a scenario: a latency tail and fewer IOPS, byte-identical per seed", "[sim][cpu]") {
  using namespace mpsim::sim::testing;
  auto make = [](double rate, std::uint64_t seed) {
    Scenario s = scenario(two_path_topology(), "numa", job(16, 1000ms, 100ms));
    s.topology.mutable_hosts(0)->mutable_numa_nodes(0)->set_cpus(1);
    s.models.host_cpu = {50.0, 0.0, 0.0, rate, 3000.0};
    s.seed = seed;
    return s;
  };
  const RunResult plain = run_scenario(make(0, 1));
  const RunResult paused = run_scenario(make(100, 1));
  const auto& p = plain.jobs.at(0).read;
  const auto& q = paused.jobs.at(0).read;
  // One core at 50 us per I/O: 20000 IOPS; pauses take 100/s x 3 ms = 0.3 of work time.
  CHECK(p.iops() == Approx(20000).epsilon(0.02));
  CHECK(q.iops() == Approx(20000 / 1.3).epsilon(0.08));
  CHECK(pct(p.clat, 99) < 1.2 * double(pct(p.clat, 50)));  // the media's spread only
  CHECK(pct(q.clat, 99) > 3 * pct(q.clat, 50));
  CHECK(pct(run_scenario(make(100, 1)).jobs.at(0).read.clat, 99.9) == pct(q.clat, 99.9));
  CHECK(pct(run_scenario(make(100, 2)).jobs.at(0).read.clat, 99.9) != pct(q.clat, 99.9));
}

TEST_CASE("a host's cores by NUMA node: unpinned work is one pool of all of them", "[sim][cpu][numa]") {
  // The same choices and pause streams as one pool of the host's five cores, with or without pauses.
  for (const models::CpuParams& params : {models::CpuParams{}, pauses(2000, 30)}) {
    CpuPool whole(5, params, 11);
    HostCpu host({3, 2}, params, 11);
    REQUIRE(host.cores() == 5);
    REQUIRE(host.cores(0) == 3);
    REQUIRE(host.cores(1) == 2);
    std::int64_t now = 0;
    for (int i = 0; i < 2000; ++i) {
      now += (i * 37) % 23;
      const std::int64_t cost = 5'000 + (i * 13) % 17'000;
      REQUIRE(host.run(HostCpu::kAnyNode, now, cost) == whole.run(now, cost));
    }
  }
}

TEST_CASE("work pinned to a NUMA node waits only for that node's cores", "[sim][cpu][numa]") {
  HostCpu host({2, 2}, {}, 0);
  // Node 0's two cores get 10 us of work each; node 1 is idle.
  CHECK(host.run(0, 0, 10'000) == 10'000);
  CHECK(host.run(0, 0, 10'000) == 10'000);
  CHECK(host.run(0, 0, 1'000) == 11'000);  // queued behind node 0's work
  CHECK(host.run(1, 0, 1'000) == 1'000);   // node 1 starts at once
  // Unpinned work takes the host's earliest-free core: node 1's other one, then the one used.
  CHECK(host.run(HostCpu::kAnyNode, 0, 1'000) == 1'000);
  CHECK(host.run(HostCpu::kAnyNode, 0, 1'000) == 2'000);
}
