// The policy registry and parameter handling (policies/selector.h).
#include <set>

#include <catch2/catch.hpp>

#include "policies/stack_rules.h"
#include "tests/policies/test_paths.h"

using namespace mpsim::policies;
using namespace mpsim::policies::testing;

TEST_CASE("registry: every production selector of the spec is registered, names unique, params documented") {
  std::set<std::string> names;
  for (const PolicyInfo& p : registered_policies()) {
    INFO(p.name);
    CHECK(names.insert(p.name).second);
    CHECK_FALSE(p.summary.empty());
    for (const PolicyParam& param : p.params) CHECK_FALSE(param.help.empty());
    CHECK(make_selector({p.name, {}}) != nullptr);  // every default value parses
    CHECK(&find_policy(p.name) == &p);
  }
  for (const char* expected :
       {"numa", "round-robin", "queue-depth", "dm-round-robin", "dm-queue-length", "dm-service-time",
        "dm-historical-service-time", "spdk-active-passive", "spdk-round-robin", "spdk-queue-depth", "latency",
        "ana-weighted-qd"})
    CHECK(names.count(expected) == 1);
  CHECK(find_policy("numa").stack == Stack::LinuxNative);
  CHECK(find_policy("dm-service-time").stack == Stack::DmMultipath);
  CHECK(find_policy("spdk-queue-depth").stack == Stack::Spdk);
  CHECK(find_policy("latency").stack == Stack::Research);
  CHECK(to_string(Stack::DmMultipath) == "dm-multipath");
}

TEST_CASE("registry: unknown policies and parameters are rejected, naming what was wrong") {
  CHECK_THROWS_AS(make_selector({"round-robbin", {}}), PolicyError);
  CHECK_THROWS_WITH(make_selector({"round-robbin", {}}), Catch::StartsWith("unknown policy 'round-robbin'") &&
                                                             Catch::Contains("round-robin"));
  CHECK_THROWS_WITH(make_selector({"numa", {{"rr_min_io", "2"}}}),
                    "policy 'numa': unknown parameter 'rr_min_io' (parameters: numa_distances)");
  CHECK_THROWS_WITH(make_selector({"queue-depth", {{"x", "1"}}}), Catch::Contains("(parameters: none)"));
  CHECK_THROWS_WITH(make_selector({"spdk-active-passive", {{"disable_auto_failback", "yes"}}}),
                    "policy 'spdk-active-passive': parameter 'disable_auto_failback': expected true or false, "
                    "got 'yes'");
  CHECK_THROWS_WITH(make_selector({"dm-historical-service-time", {{"base_weight", "1024"}}}),
                    Catch::Contains("parameter 'base_weight': expected an integer in [0, 1023], got '1024'"));
  CHECK_THROWS_WITH(make_selector({"ana-weighted-qd", {{"nonopt_weight", "-3"}}}),
                    Catch::Contains("parameter 'nonopt_weight'"));
  CHECK_THROWS_WITH(make_selector({"spdk-active-passive", {{"preferred_path", "first"}}}),
                    Catch::Contains("parameter 'preferred_path'"));
}

TEST_CASE("registry: a dm policy's no_path_retry and polling_interval reach the head's dm options") {
  HeadConfig c;
  apply_policy_options({"dm-service-time", {}}, c);  // multipath-tools' defaults: fail, 5 s
  CHECK_FALSE(c.dm_queue_if_no_path);
  CHECK(c.dm_no_path_retry == 0);
  CHECK(c.dm_polling_interval == std::chrono::seconds(5));

  apply_policy_options({"dm-round-robin", {{"no_path_retry", "queue"}, {"polling_interval", "1"}}}, c);
  CHECK(c.dm_queue_if_no_path);
  CHECK(c.dm_polling_interval == std::chrono::seconds(1));

  HeadConfig bounded;
  apply_policy_options({"dm-queue-length", {{"no_path_retry", "3"}}}, bounded);
  CHECK_FALSE(bounded.dm_queue_if_no_path);
  CHECK(bounded.dm_no_path_retry == 3);

  HeadConfig linux_head;
  apply_policy_options({"numa", {}}, linux_head);  // not a dm policy: nothing changes
  CHECK(linux_head.dm_polling_interval == std::chrono::seconds(5));

  CHECK_THROWS_WITH(make_selector({"dm-service-time", {{"no_path_retry", "sometimes"}}}),
                    Catch::Contains("no_path_retry") && Catch::Contains("'fail', 'queue'"));
  CHECK_THROWS_WITH(make_selector({"dm-round-robin", {{"polling_interval", "0"}}}), Catch::Contains("polling_interval"));
  CHECK_THROWS_AS(apply_policy_options({"dm-round-robin", {{"no_path_retry", "-1"}}}, c), PolicyError);
}
