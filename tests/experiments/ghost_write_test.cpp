// experiments/ghost-write.textproto keeps its promise: with the kernel's behaviour (no failover
// delay) writes cancelled on the failed busy node still reach the media after newer, acknowledged
// writes to the same blocks; a failover_delay longer than the node's queue removes every one.
// Also: the job's size/offset region (fio's) is where its writes go, and bad regions are refused.
#include <catch2/catch.hpp>

#include <algorithm>

#include "experiments/experiment_loader.h"
#include "experiments/overrides.h"
#include "experiments/reports.h"
#include "experiments/runner.h"
#include "experiments/slo.h"

namespace ex = mpsim::experiments;
namespace sim = mpsim::sim;

namespace {

constexpr const char* kGhost = MPSIM_SOURCE_DIR "/experiments/ghost-write.textproto";

std::vector<sim::RunResult> run_ghost(std::vector<std::string> sets = {}) {
  auto exp = ex::load_experiment_file(kGhost, ex::parse_overrides(sets));
  return ex::run_experiment(exp);
}

std::uint64_t events_of(const sim::RunResult& r, const std::string& kind) {
  return std::uint64_t(std::count_if(r.events.begin(), r.events.end(), [&](const sim::EventRow& e) { return e.kind == kind; }));
}

}  // namespace

TEST_CASE("ghost-write: stale writes land after newer acks without failover_delay, none with it", "[ghost]") {
  const auto without = run_ghost();
  REQUIRE(without.size() == 3);
  for (const sim::RunResult& r : without) {
    INFO(r.policy);
    CHECK(r.ledger.balanced());
    CHECK(r.ledger.failed == 0);
    CHECK(r.abandoned.landed_writes > 0);
    CHECK(r.abandoned.landed == events_of(r, "abandoned_command_landed"));
    CHECK(r.ghost_writes.count > 0);
    CHECK(r.ghost_writes.count == events_of(r, "ghost_write"));
    CHECK(r.ghost_writes.blocks > 0);
    CHECK(r.ghost_writes.blocks <= 16);  // the job's 64 KiB region
    CHECK(r.ghost_writes.worst_window.count() > 0);
    REQUIRE(r.faults.size() == 1);
    CHECK(r.faults[0].ghost_writes.count == r.ghost_writes.count);
    // The four clones write the same 16 blocks of one namespace: the write order is kept per
    // namespace, so a stale copy is caught against any clone's newer write (was 4 x 16 while it
    // was kept per job's target channel, each clone seeing only its own writes).
    CHECK(r.abandoned.tracked_blocks == 16);
  }
  const auto with = run_ghost({"connection_defaults.failover_delay_s=1ms"});
  REQUIRE(with.size() == 3);
  for (std::size_t i = 0; i < with.size(); ++i) {
    const sim::RunResult& r = with[i];
    INFO(r.policy);
    CHECK(r.ledger.balanced());
    CHECK(r.ledger.failed == 0);
    CHECK(r.abandoned.landed_writes > 0);  // the old copies still land ...
    CHECK(r.ghost_writes.count == 0);      // ... but before the retries and anything newer
    CHECK(r.faults[0].ghost_writes.count == 0);
  }
}

TEST_CASE("ghost-write: the ghost_writes SLO fails without the delay and passes with it", "[ghost][slo]") {
  for (const auto& [sets, pass] : {std::pair{std::vector<std::string>{}, false},
                                   std::pair{std::vector<std::string>{"connection_defaults.failover_delay_s=1ms"}, true}}) {
    auto exp = ex::load_experiment_file(kGhost, ex::parse_overrides(sets));
    auto slos = ex::check_run_slos(exp, {"fault=0:ghost_writes==0"});
    auto outcomes = ex::judge_run_slos(exp, slos, ex::run_experiment(exp));
    REQUIRE(outcomes.size() == 6);  // two assertions x three policies
    for (const auto& o : outcomes) CHECK(o.passed == pass);
  }
}

TEST_CASE("job size/offset: writes stay in the region; bad regions and a negative failover_delay_s are refused",
          "[ghost][region]") {
  CHECK_THROWS_WITH(ex::load_experiment_file(kGhost, ex::parse_overrides({"jobs[0].offset=2TiB"})),
                    Catch::Contains("offset") && Catch::Contains("beyond the namespace"));
  CHECK_THROWS_WITH(ex::load_experiment_file(kGhost, ex::parse_overrides({"jobs[0].offset=1k"})),
                    Catch::Contains("not a multiple of bs"));
  CHECK_THROWS_WITH(ex::load_experiment_file(kGhost, ex::parse_overrides({"jobs[0].size=1k"})),
                    Catch::Contains("smaller than one block"));
  CHECK_THROWS_WITH(ex::load_experiment_file(kGhost, ex::parse_overrides({"connection_defaults.failover_delay_s=-1"})),
                    Catch::Contains("failover_delay_s must be >= 0"));
  // 8 blocks from 1 MiB: the write order tracks exactly those (one job here, numjobs 1).
  auto exp = ex::load_experiment_file(kGhost,
                                      ex::parse_overrides({"jobs[0].offset=1MiB", "jobs[0].size=32k", "jobs[0].numjobs=1"}));
  exp.runs.resize(1);
  auto r = ex::run_experiment(exp);
  REQUIRE(r.size() == 1);
  CHECK(r[0].abandoned.tracked_blocks == 8);
}
