// Host cgroups with io.max in the guest plan and its init script (validate/guest_cgroup.h).
// No guest is booted here.
#include <catch2/catch.hpp>

#include <algorithm>

#include "experiments/experiment_loader.h"
#include "scenario_file.h"
#include "topologies/file_io.h"
#include "validate/guest_plan.h"
#include "validate/guest_script.h"

using namespace mpsim;

namespace {

bool has_arg(const std::vector<std::string>& args, const std::string& a) {
  return std::find(args.begin(), args.end(), a) != args.end();
}

}  // namespace

TEST_CASE("guest cgroups: each group with its io.max on the head, jobs joining by fio's cgroup=", "[validate][cgroup]") {
  const validate::GuestPlan plan = validate::plan_guest(validate::testing::load("validate/scenarios/qos-two-cgroups.textproto"));
  REQUIRE(plan.cgroups.size() == 2);
  CHECK(plan.cgroups[0].name == "limited");
  REQUIRE(plan.cgroups[0].io_max.size() == 1);
  CHECK(plan.cgroups[0].io_max[0].device == "nvme0n1");
  CHECK(plan.cgroups[0].io_max[0].limits == "riops=300 wiops=max rbps=max wbps=max");
  CHECK(plan.cgroups[1].name == "free");
  CHECK(plan.cgroups[1].io_max.empty());
  REQUIRE(plan.fio_jobs.size() == 2);
  CHECK(has_arg(plan.fio_jobs[0], "--cgroup=limited"));
  CHECK(has_arg(plan.fio_jobs[1], "--cgroup=free"));

  const std::string init = validate::render_guest_init(plan, "/lib.sh", "/results");
  CHECK_THAT(init, Catch::Contains("mount -t cgroup2 cgroup2 /sys/fs/cgroup"));
  CHECK_THAT(init, Catch::Contains("echo +io >/sys/fs/cgroup/cgroup.subtree_control"));
  CHECK_THAT(init, Catch::Contains("read -r majmin </sys/block/nvme0n1/dev"));
  CHECK_THAT(init, Catch::Contains("echo \"$majmin riops=300 wiops=max rbps=max wbps=max\" >'/sys/fs/cgroup/limited/io.max'"));
  CHECK_THAT(init, Catch::Contains("cat '/sys/fs/cgroup/free/io.stat'"));
}

TEST_CASE("guest cgroups: bytes limits, and none at all leaves both hooks empty", "[validate][cgroup]") {
  const validate::GuestPlan rbps = validate::plan_guest(validate::testing::load("validate/scenarios/qos-rbps-128k.textproto"));
  REQUIRE(rbps.cgroups.size() == 1);
  CHECK(rbps.cgroups[0].io_max.at(0).limits == "riops=max wiops=max rbps=8388608 wbps=max");
  CHECK(has_arg(rbps.fio_jobs.at(0), "--bs=131072"));

  const validate::GuestPlan none = validate::plan_guest(validate::testing::load("validate/scenarios/steady-opt-opt-numa.textproto"));
  CHECK(none.cgroups.empty());
  const std::string init = validate::render_guest_init(none, "/lib.sh", "/results");
  CHECK_THAT(init, Catch::Contains("scn_cgroups() {\n  :\n}\nscn_cgroups_done() {\n  :\n}\n"));
  CHECK_THAT(init, !Catch::Contains("cgroup2"));
}

TEST_CASE("guest cgroups: target-side QoS has no nvmet equivalent and is refused", "[validate][cgroup]") {
  const std::string dir = std::string(MPSIM_SOURCE_DIR) + "/validate/scenarios";
  const std::string text = topology::read_file(dir + "/qos-riops.textproto") +
                           "target_qos { namespace: \"nqn.2026-11.io.mpsim:loopback/1\" rw_ios_per_sec: 1000 }\n";
  auto exp = experiments::load_experiment_text(text, "qos-riops+target_qos", dir);
  REQUIRE(exp.runs.size() == 1);
  CHECK_THROWS_WITH(validate::plan_guest(exp.runs[0].scenario), Catch::Contains("target_qos (SPDK bdev QoS) has no nvmet"));
}
