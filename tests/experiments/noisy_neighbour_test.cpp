// The noisy-neighbour example end to end (shortened): without QoS the 4k reader's tail is the
// 128k writer's; SPDK QoS at the target and io.max on the host both cap the writer at its limit;
// the tenants reach summary.json and fio.json.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "experiments/experiment_loader.h"
#include "experiments/reports.h"
#include "experiments/runner.h"

namespace ex = mpsim::experiments;
namespace sim = mpsim::sim;

namespace {

struct Outcome {
  sim::RunResult result;
  ex::LoadedExperiment exp;
};

// A second of the example (plus its ramp) with the given variant.
Outcome run_variant(bool target_qos, bool cgroup) {
  Outcome o{{}, ex::load_experiment_file(MPSIM_SOURCE_DIR "/experiments/noisy-neighbour.textproto")};
  sim::Scenario& s = o.exp.runs.at(0).scenario;
  for (sim::JobSpec& j : s.jobs) {
    j.runtime = std::chrono::seconds(1);
    if (cgroup && j.name == "a-writer") j.cgroup = "a-capped";
  }
  s.duration = std::chrono::milliseconds(1500);
  if (!target_qos) s.target_qos.clear();
  if (target_qos) s.target_qos = {sim::TargetQosSpec{"nqn.2026-11.io.mpsim:noisy", 1, "", {0, 0, 0, 300ull << 20}}};
  o.result = ex::run_experiment(o.exp).at(0);
  return o;
}

const sim::TenantResult& tenant(const sim::RunResult& r, const std::string& name) {
  for (const auto& t : r.tenants) {
    if (t.name == name) return t;
  }
  FAIL("no tenant " << name);
  throw;
}

std::int64_t p99(const sim::DirectionStats& d) {
  for (const auto& [pct, ns] : d.clat.percentiles) {
    if (pct == 99.0) return ns;
  }
  return -1;
}

}  // namespace

TEST_CASE("noisy neighbour: QoS caps the writer and gives the reader its latency back", "[qos]") {
  const Outcome none = run_variant(false, false);
  const Outcome target = run_variant(true, false);
  const Outcome host = run_variant(false, true);
  const double limit = 300.0 * 1024 * 1024;
  // Unlimited, A takes the drive's write bandwidth (1.5 GB/s) and B's p99 is over a millisecond.
  CHECK(tenant(none.result, "A").write.bw_bytes() > 4 * limit);
  CHECK(p99(tenant(none.result, "B").read) > 1'000'000);
  // Either limit holds A within 2% of 300 MiB/s; the throttled time is where it was held.
  CHECK(tenant(target.result, "A").write.bw_bytes() == Approx(limit).epsilon(0.02));
  CHECK(tenant(host.result, "A").write.bw_bytes() == Approx(limit).epsilon(0.02));
  CHECK(tenant(target.result, "A").target_throttled.count() > 0);
  CHECK(tenant(target.result, "A").host_throttled.count() == 0);
  CHECK(tenant(host.result, "A").host_throttled.count() > 0);
  CHECK(tenant(host.result, "B").host_throttled.count() == 0);
  // Metered every millisecond at the target, A no longer holds the drive: B's p99 under 200 us.
  CHECK(p99(tenant(target.result, "B").read) < 200'000);
  // io.max lets A burst a 100 ms slice's budget at full speed: B's median recovers, not its tail.
  CHECK(p99(tenant(host.result, "B").read) > 1'000'000);

  const ex::RunReport report{target.exp.runs.at(0), target.result};
  const auto summary = nlohmann::json::parse(ex::summary_json(target.exp, report));
  REQUIRE(summary.at("tenants").size() == 2);
  CHECK(summary.at("tenants")[0].at("name") == "A");
  CHECK(summary.at("tenants")[0].at("target_throttled_ms").get<double>() > 0);
  const auto fio = nlohmann::json::parse(ex::fio_json(report));
  CHECK(fio.at("jobs")[1].at("job options").at("mpsim_tenant") == "B");
  CHECK(fio.at("mpsim_tenants")[1].at("read").at("iops").get<double>() > 0);
}
