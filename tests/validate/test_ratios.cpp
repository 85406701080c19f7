// Ratio groups: the declaration file, the run order they impose and the ratios compared per
// repetition round.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "topologies/textproto.h"
#include "validate/pipeline.h"
#include "validate/ratios.h"

using namespace mpsim::validate;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path) << text;
  return path.string();
}

std::vector<CompareRow> run_rows(double iops_real, double iops_sim, double p99_real, double p99_sim, double p1_real, double p1_sim) {
  return {{"iops", iops_real, iops_sim, "10%", true, "", ""},
          {"p99_us", p99_real, p99_sim, "30%", true, "", ""},
          {"share nvmet.p1", p1_real, p1_sim, "3pp", true, "", ""},
          {"share nvmet.p2", 100 - p1_real, 100 - p1_sim, "3pp", true, "", ""},
          {"share nvmet.p1 after f1: down", 0, 0, "3pp", true, "", ""}};
}

}  // namespace

TEST_CASE("ratio groups load and name every problem with its place", "[validate][ratios]") {
  const auto good = write_temp("mpsim-groups-good.textproto",
                               "group { name: \"g\" reference: \"b\" member: \"a\" member: \"c\" }\n");
  auto groups = load_ratio_groups(good, {"a", "b", "c"});
  REQUIRE(groups.size() == 1);
  CHECK(groups[0].reference == "b");
  CHECK(groups[0].members == std::vector<std::string>{"a", "c"});
  const auto bad = write_temp("mpsim-groups-bad.textproto",
                              "group { name: \"g\" reference: \"b\" member: \"a\" }\n"
                              "group { name: \"g\" reference: \"b\" member: \"zz\" member: \"b\" }\n");
  try {
    load_ratio_groups(bad, {"a", "b"});
    FAIL("no error");
  } catch (const mpsim::topology::InputError& e) {
    const std::string what = e.what();
    CHECK(what.find("mpsim-groups-bad.textproto:2:9: group[1].name: duplicate group name \"g\"") != std::string::npos);
    CHECK(what.find(":2:") != std::string::npos);
    CHECK(what.find("group[1].member[0]: no scenario \"zz\" in the matrix") != std::string::npos);
    CHECK(what.find("group[1].member[1]: a member cannot be the group's reference") != std::string::npos);
  }
  const auto syntax = write_temp("mpsim-groups-syntax.textproto", "group { nme: \"g\" }\n");
  CHECK_THROWS_AS(load_ratio_groups(syntax, {}), mpsim::topology::InputError);
}

TEST_CASE("the checked-in groups name only scenarios of the matrix", "[validate][ratios]") {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(std::string(MPSIM_SOURCE_DIR) + "/validate/scenarios")) {
    if (e.path().extension() == ".textproto") files.push_back(e.path().string());
  }
  std::vector<std::string> names;
  for (const auto& s : load_scenarios(files)) names.push_back(s.name);
  const auto groups = load_ratio_groups(std::string(MPSIM_SOURCE_DIR) + "/validate/ratio_groups.textproto", names);
  CHECK(groups.size() >= 10);
}

TEST_CASE("a group's scenarios run next to each other, the reference first", "[validate][ratios]") {
  const std::vector<RatioGroup> groups = {{"g", "c", {"a"}}, {"h", "a", {"e", "missing"}}};
  CHECK(run_order({"a", "b", "c", "d", "e"}, groups) == std::vector<std::string>{"c", "a", "e", "b", "d"});
  CHECK(run_order({"b", "d"}, groups) == std::vector<std::string>{"b", "d"});
}

TEST_CASE("ratios are taken within each round and compared as bands", "[validate][ratios]") {
  // The host ran round 2 at half speed: the kernel's A/B stays 0.5 in both rounds.
  std::map<std::string, std::vector<std::vector<CompareRow>>> rows;
  rows["b"] = {run_rows(10000, 9000, 2000, 2000, 50, 50), run_rows(5000, 9000, 4000, 2000, 50, 50)};
  rows["a"] = {run_rows(5000, 4600, 4000, 4000, 100, 100), run_rows(2500, 4600, 8000, 4000, 100, 80)};
  const auto c = ratio_comparisons({{"g", "b", {"a", "absent"}}}, rows);
  REQUIRE(c.size() == 1);
  REQUIRE(c[0].rows.size() == 3);
  CHECK(c[0].rows[0].measure == "ratio-iops a / b");
  CHECK(c[0].rows[0].real == Approx(0.5));
  CHECK(c[0].rows[0].sim == Approx(4600.0 / 9000.0));
  CHECK(c[0].rows[0].pass);
  CHECK(c[0].rows[1].measure == "ratio-p99 a / b");
  CHECK(c[0].rows[1].real == Approx(2.0));
  CHECK(c[0].rows[2].measure == "share-moved a / b");
  CHECK(c[0].rows[2].real == Approx(50.0));  // whole-run shares only, not the per-phase row
  CHECK(c[0].rows[2].sim == Approx(30.0));   // lower median of 50 and 30
  CHECK_FALSE(c[0].rows[2].pass);
  const std::string text = format_ratios(c);
  CHECK(text.find("ratio-iops a / b") != std::string::npos);
  CHECK(text.find("ratios: 2 of 3 within") != std::string::npos);
}

TEST_CASE("a round where one side has no run gives no ratio", "[validate][ratios]") {
  std::map<std::string, std::vector<std::vector<CompareRow>>> rows;
  rows["b"] = {run_rows(10000, 9000, 2000, 2000, 50, 50), {}};
  rows["a"] = {{}, run_rows(2500, 4600, 8000, 4000, 100, 80)};
  CHECK(ratio_comparisons({{"g", "b", {"a"}}}, rows).empty());
}
