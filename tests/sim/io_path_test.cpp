// The I/O path without faults: costs add up as the models say, Little's law, path choice.
#include <catch2/catch.hpp>

#include "models/media.h"
#include "models/transport.h"
#include "sim/fabric.h"
#include "scenario_fixture.h"

using namespace mpsim;
using namespace mpsim::sim;
using namespace mpsim::sim::testing;

TEST_CASE("QD1 4 KiB read latency is the sum of the modelled costs", "[sim][latency]") {
  Scenario s = scenario(two_path_topology(), "numa", job(1, 200ms));
  s.models.media["nand-tlc-gen4"].latency_cv = 0;
  const RunResult r = run_scenario(s);

  // Host CPU, command over 2 hops, target CPU, media, 4 KiB + response back over 2 hops.
  const models::TransportModel wire(s.models.transport);
  const auto cost = wire.io_cost(true, 4096);
  Fabric fabric(s.topology);
  const Route route = fabric.route(s.topology.connections(0));
  const std::int64_t expected = models::cpu_cost_ns(s.models.host_cpu, 4096) +
                                fabric.idle_transit_ns(route, cost.command_bytes) +
                                models::cpu_cost_ns(s.models.target_cpu, 4096) +
                                models::MediaModel(s.models.media["nand-tlc-gen4"]).mean_ns(true, 4096) +
                                fabric.idle_transit_ns(route, cost.response_bytes);
  // By hand: 5200 + (44 + 2000 + 11 + 2000) + 5200 + 80000 + (347 + 2000 + 1389 + 2000).
  CHECK(expected == 100191);
  const auto& lat = r.jobs.at(0).read.clat;
  REQUIRE(lat.count > 1000);
  CHECK(lat.min_ns == expected);
  CHECK(lat.max_ns == expected);
  CHECK(lat.mean_ns == Approx(double(expected)));
  CHECK(r.jobs[0].read.iops() == Approx(1e9 / double(expected)).epsilon(0.01));
}

TEST_CASE("Little's law holds at steady state", "[sim][queueing]") {
  const RunResult r = run_scenario(scenario(two_path_topology(), "round-robin", job(32, 500ms, 50ms)));
  const auto& read = r.jobs.at(0).read;
  REQUIRE(read.total_ios > 10000);
  CHECK(read.iops() == Approx(32.0 / (read.clat.mean_ns * 1e-9)).epsilon(0.02));
}

TEST_CASE("numa sends everything to the first optimized path", "[sim][policy]") {
  const RunResult r = run_scenario(scenario(two_path_topology(), "numa", job(16, 200ms)));
  CHECK(path(r, "h0/t0.p0").share == 1.0);
  CHECK(path(r, "h0/t0.p1").ios == 0);
}

TEST_CASE("round-robin splits two optimized paths 50/50", "[sim][policy]") {
  const RunResult r = run_scenario(scenario(two_path_topology(), "round-robin", job(16, 200ms)));
  CHECK(path(r, "h0/t0.p0").share == Approx(0.5).margin(0.005));
  CHECK(path(r, "h0/t0.p1").share == Approx(0.5).margin(0.005));
}

TEST_CASE("an inaccessible path gets no I/O", "[sim][policy]") {
  for (const char* policy : {"numa", "round-robin", "queue-depth"}) {
    const RunResult r = run_scenario(scenario(two_path_topology("INACCESSIBLE"), policy, job(16, 200ms)));
    INFO(policy);
    CHECK(path(r, "h0/t0.p1").ios == 0);
    CHECK(path(r, "h0/t0.p0").ios > 1000);
    CHECK(r.ledger.failed == 0);
  }
}

TEST_CASE("timeline: one row per interval for all paths and per controller, counts add up", "[sim][metrics]") {
  Scenario s = scenario(two_path_topology(), "round-robin", job(8, 490ms));
  s.timeline_interval = 50ms;
  const RunResult r = run_scenario(s);
  REQUIRE(r.timeline.intervals() == 10);  // 500 ms / 50 ms
  REQUIRE(r.timeline.series() == 3);     // all + 2 controllers
  std::uint64_t all = 0, per_path = 0;
  std::size_t rows = 0;
  r.for_each_timeline_row([&](const TimelineRow& row) {
    (row.controller.empty() ? all : per_path) += row.completions;
    ++rows;
  });
  CHECK(rows == 10 * 3);
  CHECK(all == per_path);
  CHECK(all == r.ledger.completed);
  CHECK(r.timeline.start(0) == 0ms);
  CHECK(r.timeline.start(9) == 450ms);
  CHECK(r.series_name(1) == r.controllers[0]);
}

TEST_CASE("a job starting at t=0 waits for its device (the first live path), not fails", "[sim][workload]") {
  JobSpec j = job(4, 100ms);
  j.start_delay = 0ms;
  const RunResult r = run_scenario(scenario(two_path_topology(), "numa", j));
  CHECK(r.ledger.failed == 0);
  CHECK(r.jobs[0].read.total_ios > 1000);
}

TEST_CASE("a per-(host, subsystem) policy override wins over the run's policy", "[sim][policy]") {
  Scenario s = scenario(two_path_topology(), "numa", job(16, 200ms));
  PolicyOverride o;
  o.host = "h0";
  o.nqn = "nqn.test:s1";
  o.policy.name = "round-robin";
  s.overrides.push_back(o);
  const RunResult r = run_scenario(s);
  CHECK(path(r, "h0/t0.p1").share == Approx(0.5).margin(0.005));
  s.overrides[0].nqn = "nqn.test:other";  // does not match: numa again
  CHECK(path(run_scenario(s), "h0/t0.p1").ios == 0);
}

namespace {
JobSpec batched(std::uint32_t submit, std::uint32_t complete_min) {
  JobSpec j = job(16, 200ms);
  j.iodepth_batch_submit = submit;
  j.iodepth_batch_complete_min = complete_min;
  return j;
}
}  // namespace

// Measured on Linux 6.12 (UML guest, two loopback nvmet ports, fio libaio QD16 4k randread,
// --iodepth_batch_submit=16 --iodepth_batch_complete_min=16): 68381 vs 0 I/Os. Every io_submit
// of 16 runs under a plug, so all 16 choose a path before any is counted, and ties go first.
TEST_CASE("queue-depth: an io_submit of more than 2 I/Os is plugged, so the whole batch goes to the first idle path",
          "[sim][policy][plug]") {
  const RunResult r = run_scenario(scenario(two_path_topology(), "queue-depth", batched(16, 16)));
  CHECK(path(r, "h0/t0.p0").share == 1.0);
  CHECK(path(r, "h0/t0.p1").ios == 0);
  CHECK(r.jobs.at(0).read.total_ios > 1000);
}

TEST_CASE("queue-depth: one I/O per io_submit, or two (below the plug threshold), is counted before the next choice",
          "[sim][policy][plug]") {
  for (std::uint32_t batch : {1u, 2u}) {
    INFO("iodepth_batch_submit " << batch);
    const RunResult r = run_scenario(scenario(two_path_topology(), "queue-depth", batched(batch, batch)));
    CHECK(path(r, "h0/t0.p0").share == Approx(0.5).margin(0.02));
  }
}

TEST_CASE("round-robin under plugged batches still splits 50/50", "[sim][policy][plug]") {
  const RunResult r = run_scenario(scenario(two_path_topology(), "round-robin", batched(16, 16)));
  CHECK(path(r, "h0/t0.p0").share == Approx(0.5).margin(0.005));
}

TEST_CASE("iodepth_batch_complete_min: fio refills only after that many completions", "[sim][workload][plug]") {
  // QD16 reaped 16 at a time runs in lock-step rounds: fewer I/Os than reaping each at once.
  const RunResult each = run_scenario(scenario(two_path_topology(), "round-robin", batched(1, 1)));
  const RunResult rounds = run_scenario(scenario(two_path_topology(), "round-robin", batched(1, 16)));
  CHECK(rounds.jobs.at(0).read.total_ios < each.jobs.at(0).read.total_ios);
}

namespace {
// The validation guest's shape: one host core does all of an I/O's CPU work (50 us), the
// media answers after `media_us` off the CPU.
Scenario one_core(const std::string& policy, double media_us) {
  std::string topo = two_path_topology();
  replace_all(topo, "numa_nodes { id: 0 cpus: 8 }", "numa_nodes { id: 0 cpus: 1 }");
  Scenario s = scenario(topo, policy, job(16, 300ms));
  s.models.host_cpu.per_io_us = 50;
  s.models.host_cpu.per_kib_us = 0;
  s.models.target_cpu.per_io_us = 0;
  s.models.target_cpu.per_kib_us = 0;
  auto& media = s.models.media["nand-tlc-gen4"];
  media.read_latency_us = media_us;
  media.latency_cv = 0;
  media.parallelism = 1024;
  return s;
}
}  // namespace

// Linux 6.12 in the one-CPU UML guest, fio QD16 one I/O per io_submit: 88-93% on the first of
// two equal loopback paths (about 1 I/O in flight below the head), but 50.4/49.6 when netem
// adds 0.5 ms each way to both paths (many in flight at every choice).
TEST_CASE("one-core host: the I/O work runs before the next choice, so queue-depth keeps an idle first path busy",
          "[sim][policy][cpu]") {
  const RunResult fast = run_scenario(one_core("queue-depth", 5));
  CHECK(path(fast, "h0/t0.p0").share > 0.95);
  const RunResult slow = run_scenario(one_core("queue-depth", 1000));
  CHECK(path(slow, "h0/t0.p0").share == Approx(0.5).margin(0.03));
  const RunResult rr = run_scenario(one_core("round-robin", 5));
  CHECK(path(rr, "h0/t0.p0").share == Approx(0.5).margin(0.005));
}

TEST_CASE("one-core host: the CPU bounds IOPS and latency counts from fio's issue, CPU wait included",
          "[sim][latency][cpu]") {
  const RunResult r = run_scenario(one_core("numa", 5));
  const auto& read = r.jobs.at(0).read;
  CHECK(read.iops() == Approx(1e6 / 50).epsilon(0.02));                    // one core, 50 us each
  CHECK(read.clat.mean_ns == Approx(16 * 50e3).epsilon(0.05));              // Little: 16 / 20k IOPS
}

TEST_CASE("one-core host: an io_submit call costs per_call_us on top of its I/Os, so batching saves calls",
          "[sim][cpu][plug]") {
  // The time per batch of n I/Os (n / IOPS) grows by exactly one call's cost: once per I/O
  // unbatched, once per 16 with iodepth_batch_submit = iodepth_batch_complete_min = 16.
  auto us_per_batch = [](std::uint32_t batch, double per_call_us) {
    Scenario s = one_core("numa", 5);
    s.models.host_cpu.per_io_us = 10;
    s.models.host_cpu.per_call_us = per_call_us;
    s.jobs[0].iodepth_batch_submit = batch;
    s.jobs[0].iodepth_batch_complete_min = batch;
    return batch * 1e6 / run_scenario(s).jobs.at(0).read.iops();
  };
  CHECK(us_per_batch(1, 30) - us_per_batch(1, 0) == Approx(30).epsilon(0.05));
  CHECK(us_per_batch(16, 30) - us_per_batch(16, 0) == Approx(30).epsilon(0.05));
  CHECK(us_per_batch(1, 30) == Approx(10 + 30).epsilon(0.03));  // the CPU is never idle at QD16
}
