// Whole experiments through the engine: determinism of every report, the quickstart golden
// summary, and the all-paths-down example's promise (I/O queues, nothing fails).
//
// Regenerate the golden file after an intended change of the engine or the models:
//   MPSIM_UPDATE_GOLDEN=1 build/tests/experiments/test_experiments "quickstart matches its golden summary"
// then review the diff of tests/experiments/golden/quickstart-summary.json before committing.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "experiments/experiment_loader.h"
#include "experiments/reports.h"
#include "experiments/runner.h"
#include "tests/experiments/read_file.h"

namespace ex = mpsim::experiments;
namespace sim = mpsim::sim;

namespace {

// Quickstart at a tenth of its length (0.6 s, link down 0.2..0.4 s) keeps the suite quick on CI.
ex::LoadedExperiment short_quickstart() {
  auto exp = ex::load_experiment_file(MPSIM_SOURCE_DIR "/experiments/quickstart.textproto");
  for (ex::PlannedRun& run : exp.runs) {
    sim::Scenario& s = run.scenario;
    for (sim::JobSpec& j : s.jobs) j.runtime /= 10;
    for (sim::FaultSpec& f : s.faults) {
      f.at /= 10;
      std::get<sim::faults::Down>(f.kind).duration /= 10;
    }
    s.duration = s.jobs.front().start_delay + s.jobs.front().runtime;
  }
  return exp;
}

std::vector<ex::RunReport> pair_up(const ex::LoadedExperiment& exp, const std::vector<sim::RunResult>& results) {
  std::vector<ex::RunReport> reports;
  for (std::size_t i = 0; i < results.size(); ++i) reports.push_back({exp.runs[i], results[i]});
  return reports;
}

// Every byte a run would write, concatenated.
std::string all_reports(const ex::LoadedExperiment& exp, const std::vector<sim::RunResult>& results) {
  auto reports = pair_up(exp, results);
  std::string out = ex::comparison_json(exp, reports) + ex::summary_table(exp, reports);
  for (const auto& r : reports) {
    out += ex::fio_json(r) + ex::timeline_csv(r.result) + ex::events_csv(r.result) + ex::summary_json(exp, r);
  }
  return out;
}


}  // namespace

TEST_CASE("the same experiment run twice writes identical bytes") {
  auto exp = short_quickstart();
  auto first = ex::run_experiment(exp);
  auto second = ex::run_experiment(exp);
  REQUIRE(first.size() == 3);
  CHECK(first[0].ledger.completed > 0);
  CHECK(all_reports(exp, first) == all_reports(exp, second));
}

TEST_CASE("quickstart matches its golden summary") {
  auto exp = short_quickstart();
  auto results = ex::run_experiment(exp);
  std::string actual = ex::comparison_json(exp, pair_up(exp, results));
  std::filesystem::path golden = MPSIM_SOURCE_DIR "/tests/experiments/golden/quickstart-summary.json";
  if (std::getenv("MPSIM_UPDATE_GOLDEN")) {
    std::ofstream(golden, std::ios::binary) << actual;
    WARN("rewrote " << golden.string());
  }
  REQUIRE(std::filesystem::exists(golden));
  CHECK(read_file(golden) == actual);
  CHECK(ex::check_results(exp, results).empty());
}

TEST_CASE("all-paths-down: I/O queues while no path exists and none fails") {
  auto exp = ex::load_experiment_file(MPSIM_SOURCE_DIR "/experiments/all-paths-down.textproto");
  auto results = ex::run_experiment(exp);
  REQUIRE(results.size() == 1);
  const sim::RunResult& r = results.front();
  CHECK(r.ledger.failed == 0);
  CHECK(r.ledger.balanced());
  CHECK(r.ledger.completed > 0);
  CHECK(r.ledger.inflight_at_end <= exp.runs[0].scenario.jobs[0].iodepth);
  REQUIRE(r.faults.size() == 2);
  // Nothing completes while both links are down (1 s .. 4 s): the stall covers the outage.
  CHECK(r.faults[0].stall >= std::chrono::seconds(3));
  // The queued I/O drained: some I/O waited out the outage and then completed.
  CHECK(r.jobs.front().read.clat.max_ns >= 3'000'000'000);
  CHECK(r.jobs.front().read.errors == 0);
}

TEST_CASE("an experiment the engine rejects is a RunError naming the policy") {
  auto exp = short_quickstart();
  exp.runs.resize(1);
  exp.runs[0].scenario.jobs[0].host = "nobody";  // bypasses the loader's check on purpose
  try {
    ex::run_experiment(exp);
    FAIL("the engine ran a job on an unknown host");
  } catch (const ex::RunError& e) {
    CHECK(std::string(e.what()).find("policy numa") != std::string::npos);
    CHECK(e.bad_input());
  }
}

TEST_CASE("gray-failure: queue-depth beats round-robin, which beats numa on the slow first path") {
  auto exp = ex::load_experiment_file(MPSIM_SOURCE_DIR "/experiments/gray-failure.textproto");
  REQUIRE(exp.runs.size() == 3);
  for (ex::PlannedRun& run : exp.runs) {  // a quarter of the length: 1 s, slow link 0.25..0.75 s
    sim::Scenario& s = run.scenario;
    s.jobs.front().runtime /= 4;
    s.faults.front().at /= 4;
    std::get<sim::faults::Gray>(s.faults.front().kind).duration /= 4;
    s.duration /= 4;
  }
  auto results = ex::run_experiment(exp);
  auto iops = [&](std::size_t i) { return ex::fio_iops(results[i].jobs.front().read); };
  CHECK(exp.runs[0].label == "round-robin");
  CHECK(exp.runs[1].label == "queue-depth");
  CHECK(exp.runs[2].label == "numa");
  CHECK(iops(1) > iops(0));
  CHECK(iops(0) > iops(2));
  for (const auto& r : results) CHECK(r.ledger.failed == 0);
}

TEST_CASE("maintenance-drain: no I/O reaches node-b while it is drained, and none fails") {
  auto exp = ex::load_experiment_file(MPSIM_SOURCE_DIR "/experiments/maintenance-drain.textproto");
  exp.runs.resize(1);  // round-robin
  auto results = ex::run_experiment(exp);
  const sim::RunResult& r = results.front();
  CHECK(r.ledger.failed == 0);
  CHECK(r.ledger.balanced());
  std::uint64_t during = 0, before = 0;
  r.for_each_timeline_row([&](const sim::TimelineRow& row) {
    if (row.controller.find("/node-b.") == std::string::npos) return;
    // From the end of the 500 ms transition (2.5 s) to the end of the drain (5 s), margins of one interval.
    if (row.start >= std::chrono::milliseconds(2600) && row.start < std::chrono::milliseconds(4900)) during += row.completions;
    if (row.start >= std::chrono::milliseconds(1000) && row.start < std::chrono::milliseconds(1900)) before += row.completions;
  });
  CHECK(before > 0);
  CHECK(during == 0);
}
