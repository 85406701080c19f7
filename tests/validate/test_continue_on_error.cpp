// fio's continue_on_error on both sides of a comparison: the simulated job and the guest's fio
// stop at the first failed I/O (fio's default) or count failures and carry on, as the job says;
// a verifying job's data must round-trip in the guest (null_blk memory_backed, the job's region).
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "scenario_file.h"
#include "sim/engine.h"
#include "validate/guest_plan.h"
#include "validate/real_run.h"

using namespace mpsim;
using validate::testing::load;

namespace {

bool has(const std::vector<std::string>& words, const std::string& w) { return std::find(words.begin(), words.end(), w) != words.end(); }

std::uint64_t errors(const sim::RunResult& r) {
  std::uint64_t n = 0;
  for (const auto& j : r.jobs) n += j.read.errors + j.write.errors;
  return n;
}

}  // namespace

TEST_CASE("continue_on_error: the simulated job stops at its first failed I/O unless the job continues", "[validate][errors]") {
  // Both ports down for 3 s, no_path_retry 2 with a 1 s checker: dm fails I/O for about a second.
  sim::Scenario all = load("validate/scenarios/dm-fault-all-paths-retry2-st.textproto");
  REQUIRE(all.jobs[0].continue_on_error == sim::ContinueOnError::All);
  sim::Scenario none = all;
  none.jobs[0].continue_on_error = sim::ContinueOnError::None;
  const sim::RunResult stopped = sim::run_scenario(none);
  const sim::RunResult carried_on = sim::run_scenario(all);
  REQUIRE(stopped.jobs.size() == 1);
  CHECK(stopped.jobs[0].stopped_by_error);
  CHECK_FALSE(carried_on.jobs[0].stopped_by_error);
  CHECK(errors(stopped) >= 1);
  CHECK(errors(stopped) <= all.jobs[0].iodepth);  // the first failure and those in flight with it
  CHECK(errors(carried_on) > 10 * errors(stopped));
  // The job that carried on also read again once the paths came back.
  CHECK(carried_on.jobs[0].read.total_ios > 2 * stopped.jobs[0].read.total_ios);

  // read: only read errors are carried past; a read job continues, "write" does not help it.
  sim::Scenario reads = all, writes = all;
  reads.jobs[0].continue_on_error = sim::ContinueOnError::Read;
  writes.jobs[0].continue_on_error = sim::ContinueOnError::Write;
  CHECK_FALSE(sim::run_scenario(reads).jobs[0].stopped_by_error);
  CHECK(sim::run_scenario(writes).jobs[0].stopped_by_error);
}

TEST_CASE("continue_on_error: the guest's fio gets the job's word", "[validate][errors][plan]") {
  auto plan = validate::plan_guest(load("validate/scenarios/dm-fault-all-paths-retry2-st.textproto"));
  CHECK(has(plan.fio_jobs[0], "--continue_on_error=all"));
  CHECK(std::none_of(plan.fio_global.begin(), plan.fio_global.end(),
                     [](const std::string& a) { return a.rfind("--continue_on_error", 0) == 0; }));
  auto plain = validate::plan_guest(load("validate/scenarios/fault-silent-loss-rr.textproto"));
  CHECK(has(plain.fio_jobs[0], "--continue_on_error=none"));  // fio's default, as the simulated job
}

TEST_CASE("a job fio stopped at its first error counts one failed I/O", "[validate][errors]") {
  validate::FioJob job;
  CHECK(validate::failed_ios(job) == 0);
  job.error = 5;  // EIO ended the job: total_err stays 0 (fio counts only errors it continued past)
  CHECK(validate::failed_ios(job) == 1);
  job.total_err = 7757;  // continue_on_error: every failure, the first among them
  CHECK(validate::failed_ios(job) == 7757);
}

TEST_CASE("a verifying job's writes round-trip in the guest: memory-backed null_blk over the job's region",
          "[validate][plan]") {
  auto plan = validate::plan_guest(load("validate/scenarios/tcp-write-silent-loss-rr.textproto"));
  CHECK(has(plan.kernel_args(), "null_blk.memory_backed=1"));
  CHECK(has(plan.fio_jobs[0], "--size=67108864"));  // 64MiB: fio writes and reads back only there
  CHECK(has(plan.fio_jobs[0], "--verify=crc32c"));
  CHECK(has(plan.fio_jobs[0], "--continue_on_error=all"));
  // Reads only: nothing to keep, null_blk discards data as before.
  auto reads = validate::plan_guest(load("validate/scenarios/fault-silent-loss-rr.textproto"));
  CHECK_FALSE(has(reads.kernel_args(), "null_blk.memory_backed=1"));

  // A region past 1 GiB grows the device; a verifying job without a region would fill the guest's memory.
  sim::Scenario far = load("validate/scenarios/tcp-write-silent-loss-rr.textproto");
  far.jobs[0].offset = 3ULL << 30;
  CHECK(has(validate::plan_guest(far).kernel_args(), "null_blk.gb=4"));
  CHECK(has(validate::plan_guest(far).fio_jobs[0], "--offset=3221225472"));
  sim::Scenario whole = load("validate/scenarios/tcp-write-silent-loss-rr.textproto");
  whole.jobs[0].size = 0;
  CHECK_THROWS_WITH(validate::plan_guest(whole), Catch::Contains("verifies its writes") && Catch::Contains("128 MiB"));
}
