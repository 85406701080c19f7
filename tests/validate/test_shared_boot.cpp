// Ratio groups within one boot: the scenarios a group links run back to back in one guest boot
// when they share the kernel command line and setup; the others boot alone.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "scenario_file.h"
#include "validate/guest_plan.h"
#include "validate/guest_script.h"
#include "validate/real_run_matrix.h"

using namespace mpsim;
using validate::testing::load;

namespace {

std::vector<sim::Scenario> scenarios(const std::vector<std::string>& names) {
  std::vector<sim::Scenario> out;
  for (const auto& n : names) out.push_back(load("validate/scenarios/" + n + ".textproto"));
  return out;
}

}  // namespace

TEST_CASE("shared boots: a group's scenarios with one kernel command line share a boot; groups sharing a scenario join",
          "[validate][ratios]") {
  const auto s = scenarios({"fault-gray-rr", "fault-gray-numa", "tcp-io-timeout-3s-rr", "steady-opt-opt-rr", "fault-gray-qd",
                            "dm-steady-opt-opt-rr", "steady-opt-opt-numa", "qos-riops"});
  const std::vector<validate::RatioGroup> groups = {
      {"policies gray", "fault-gray-rr", {"fault-gray-numa", "fault-gray-qd", "tcp-io-timeout-3s-rr"}},
      {"gray vs none", "steady-opt-opt-rr", {"fault-gray-rr", "dm-steady-opt-opt-rr", "qos-riops", "not-in-this-run"}}};
  const auto units = validate::shared_boot_units(s, groups);
  // io_timeout 3 s is a kernel parameter (nvme_core.io_timeout=3), dm mode boots without native
  // multipath and runs multipathd, qos sets up cgroups: those boot alone.
  const std::vector<std::vector<std::size_t>> want = {{0, 1, 3, 4}, {2}, {5}, {6}, {7}};
  CHECK(units == want);
  CHECK(validate::shared_boot_units(s, {}).size() == s.size());  // no groups: one boot each
}

TEST_CASE("shared boots: one init runs each scenario in its own results directory, then takes the setup down",
          "[validate][ratios]") {
  const auto s = scenarios({"fault-gray-rr", "fault-gray-numa"});
  const std::vector<validate::GuestPlan> plans = {validate::plan_guest(s[0]), validate::plan_guest(s[1])};
  REQUIRE(validate::can_share_boot(plans[0], plans[1]));
  const std::string lib = std::string(MPSIM_SOURCE_DIR) + "/validate/guest/lib.sh";
  const std::string init = validate::render_shared_guest_init(plans, {"/r/a", "/r/b"}, lib);
  CHECK(init.find("scn_main_shared scn_1 scn_2\n") != std::string::npos);
  CHECK(init.find("SCN_RESULTS='/r/a'") < init.find("scn_2() {"));  // scenario 1's results in its own function
  CHECK(init.find("SCN_RESULTS='/r/b'") > init.find("scn_2() {"));
  CHECK(init.find("SCN_IOPOLICY='numa'") > init.find("scn_2() {"));
  auto path = std::filesystem::temp_directory_path() / "mpsim-test-shared-init.sh";
  std::ofstream(path) << init;
  CHECK(std::system(("bash -n " + path.string()).c_str()) == 0);
  std::filesystem::remove(path);
  // lib.sh: each scenario in a subshell, the guest's setup taken down between them.
  std::ifstream in(lib);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text.find("( \"$s\" && run_scenario )") != std::string::npos);
  CHECK(text.find("teardown() {") != std::string::npos);

  const auto other = validate::plan_guest(load("validate/scenarios/tcp-io-timeout-3s-rr.textproto"));
  CHECK_FALSE(validate::can_share_boot(plans[0], other));
}
