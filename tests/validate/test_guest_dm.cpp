// The guest's dm-multipath mode: a dm-* scenario -> native multipath off, multipathd's
// configuration, fio on the dm map. No guest is booted here.
#include <catch2/catch.hpp>

#include <algorithm>

#include "scenario_file.h"
#include "validate/guest_dm.h"
#include "validate/guest_plan.h"
#include "validate/guest_script.h"

using namespace mpsim;
using validate::testing::load;

namespace {

bool has(const std::vector<std::string>& words, const std::string& w) {
  return std::find(words.begin(), words.end(), w) != words.end();
}

}  // namespace

TEST_CASE("a dm scenario plans native multipath off, fio on dm-0 and multipathd's settings", "[validate][dm]") {
  auto plan = validate::plan_guest(load("validate/scenarios/dm-fault-all-paths-retry2-st.textproto"));
  REQUIRE(plan.dm.has_value());
  CHECK(plan.iopolicy == "dm-service-time");
  CHECK(plan.dm->path_selector == "service-time 0");
  CHECK(plan.dm->grouping == "group_by_prio");
  CHECK(plan.dm->failback == "manual");
  CHECK(plan.dm->no_path_retry == "2");
  CHECK(plan.dm->polling_interval_s == 1);
  CHECK(has(plan.kernel_args(), "nvme_core.multipath=N"));
  CHECK(has(plan.fio_jobs.at(0), "--filename=/dev/dm-0"));

  auto native = validate::plan_guest(load("validate/scenarios/steady-opt-opt-rr.textproto"));
  CHECK_FALSE(native.dm.has_value());
  CHECK_FALSE(has(native.kernel_args(), "nvme_core.multipath=N"));
  CHECK(has(native.fio_jobs.at(0), "--filename=/dev/nvme0n1"));
}

TEST_CASE("multipath.conf: the scenario's selector, prio ana and failover settings beat the NVMe hwtable entry",
          "[validate][dm]") {
  validate::GuestDm dm{"queue-length 0", "group_by_prio", "manual", "queue", 2};
  const std::string conf = validate::dm_multipath_conf(dm);
  const auto overrides = conf.find("overrides {");
  REQUIRE(overrides != std::string::npos);
  for (const char* line : {"\tpath_selector \"queue-length 0\"\n", "\tprio \"ana\"\n", "\tpath_grouping_policy \"group_by_prio\"\n",
                           "\tfailback \"manual\"\n", "\tno_path_retry \"queue\"\n", "\tpath_checker \"none\"\n"}) {
    INFO(line);
    CHECK(conf.find(line, overrides) != std::string::npos);
  }
  CHECK(conf.find("\tpolling_interval 2\n\tmax_polling_interval 2\n") < overrides);
}

TEST_CASE("each dm policy maps to its kernel selector; what multipath-tools cannot say is refused", "[validate][dm]") {
  using policies::PolicyConfig;
  CHECK(validate::plan_guest_dm(PolicyConfig{"dm-round-robin", {}}, "s").path_selector == "round-robin 0");
  CHECK(validate::plan_guest_dm(PolicyConfig{"dm-historical-service-time", {}}, "s").path_selector ==
        "historical-service-time 0");
  CHECK(validate::plan_guest_dm(PolicyConfig{"dm-historical-service-time", {{"base_weight", "512"}}}, "s").path_selector ==
        "historical-service-time 2 512 0");
  CHECK_THROWS_WITH(validate::plan_guest_dm(PolicyConfig{"dm-service-time", {{"relative_throughput", "1,2"}}}, "sc"),
                    Catch::Contains("scenario \"sc\"") && Catch::Contains("relative_throughput"));
  CHECK_THROWS_WITH(validate::plan_guest_dm(PolicyConfig{"dm-round-robin", {{"repeat_count", "4"}}}, "sc"),
                    Catch::Contains("repeat_count 4"));
  CHECK_THROWS_AS(validate::plan_guest_dm(PolicyConfig{"numa", {}}, "sc"), validate::GuestPlanError);
}

TEST_CASE("the init of a dm scenario names multipath-tools for boot.sh and carries the configuration", "[validate][dm]") {
  auto plan = validate::plan_guest(load("validate/scenarios/dm-steady-opt-nonopt-ql.textproto"));
  const std::string init = validate::render_guest_init(plan, "/repo/validate/guest/lib.sh", "/out/x");
  CHECK(init.find("\n# host-packages: multipath-tools\n") != std::string::npos);
  CHECK(init.find("\nSCN_DM=1\n") != std::string::npos);
  CHECK(init.find("SCN_DEVICE='/dev/dm-0'") != std::string::npos);
  CHECK(init.find("path_selector \"queue-length 0\"") != std::string::npos);
  CHECK(init.find("PORT_nvmet_p2_ANA='1:non-optimized'") != std::string::npos);

  auto native = validate::plan_guest(load("validate/scenarios/steady-opt-nonopt-qd.textproto"));
  const std::string native_init = validate::render_guest_init(native, "/repo/validate/guest/lib.sh", "/out/x");
  CHECK(native_init.find("SCN_DM") == std::string::npos);
  CHECK(native_init.find("host-packages") == std::string::npos);
}

// Lines of reuse13b dm-fault-all-paths-retry2-st rep-1's multipathd.log (t0_uptime 4.48).
TEST_CASE("multipathd's checker ticks are read from its log, one per loop that checked paths", "[validate][dm]") {
  const std::string log =
      "3.061492 | multipathd v0.9.4: start up\n"
      "8.228334 | nvme0n1: none state = up\n"
      "8.230794 | nvme1n1: none state = up\n"
      "8.309886 | nvme0n1: mark as failed\n"
      "9.232466 | nvme0n1: state down, checker not called\n"
      "9.233087 | nvme1n1: state down, checker not called\n"
      "9.233408 | checker failed path 259:1 in map uuid.99d5c680\n"
      "garbage | nvme0n1: none state = up\n"
      "10.235016 | nvme0n1: state down, checker not called\n"
      "12.238847 | nvme0n1: none state = up";
  CHECK(validate::multipathd_checker_ticks_ms(log, 4.48) == std::vector<std::int64_t>{3748, 4752, 5755, 7759});
  CHECK(validate::multipathd_checker_ticks_ms("", 4.48).empty());
}
