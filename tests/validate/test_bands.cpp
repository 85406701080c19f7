// Repetitions merged into bands: the kernel's median and [min, max], the simulator's median, and a
// verdict that widens the band by the row's tolerance.
#include <catch2/catch.hpp>

#include "validate/bands.h"

using namespace mpsim::validate;

namespace {

std::vector<std::vector<CompareRow>> three(const std::string& measure, const std::string& tol, double r1, double r2,
                                           double r3, double s1, double s2, double s3) {
  return {{{measure, r1, s1, tol, false, "", ""}}, {{measure, r2, s2, tol, false, "", ""}}, {{measure, r3, s3, tol, false, "", ""}}};
}

}  // namespace

TEST_CASE("tolerances parse in every form the rows state", "[validate][bands]") {
  CHECK(parse_tolerance("10%").fraction == Approx(0.10));
  CHECK(parse_tolerance("10%").floor == 0);
  CHECK(parse_tolerance("3pp").floor == 3.0);
  CHECK(parse_tolerance("20% or 100ms").fraction == Approx(0.20));
  CHECK(parse_tolerance("20% or 100ms").floor == 100.0);
  CHECK(parse_tolerance("exact").fraction == 0);
  CHECK_THROWS_AS(parse_tolerance("about right"), std::invalid_argument);
  CHECK_THROWS_AS(parse_tolerance("10%%"), std::invalid_argument);
}

TEST_CASE("a band row gives the kernel's median, min and max and the simulator's median", "[validate][bands]") {
  const auto rows = band_rows(three("iops", "10%", 9000, 6000, 12000, 8000, 8100, 7900));
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].repetitions == 3);
  CHECK(rows[0].real == 9000);
  CHECK(rows[0].real_min == 6000);
  CHECK(rows[0].real_max == 12000);
  CHECK(rows[0].sim == 8000);
  CHECK(rows[0].pass);
}

TEST_CASE("the band is widened by the tolerance and no further", "[validate][bands]") {
  // Band [6000, 12000], 10 %: [5400, 13200].
  CHECK(band_rows(three("iops", "10%", 9000, 6000, 12000, 5401, 5401, 5401))[0].pass);
  CHECK_FALSE(band_rows(three("iops", "10%", 9000, 6000, 12000, 5399, 5399, 5399))[0].pass);
  CHECK(band_rows(three("iops", "10%", 9000, 6000, 12000, 13199, 13199, 13199))[0].pass);
  CHECK_FALSE(band_rows(three("iops", "10%", 9000, 6000, 12000, 13201, 13201, 13201))[0].pass);
  // 20 % or 100 ms: the floor wins for short timings.
  CHECK(band_rows(three("stall_ms f1", "20% or 100ms", 20, 30, 40, 139, 139, 139))[0].pass);
  CHECK_FALSE(band_rows(three("stall_ms f1", "20% or 100ms", 20, 30, 40, 141, 141, 141))[0].pass);
  // Exact: the simulator must equal one of the kernel's values' range.
  CHECK_FALSE(band_rows(three("errors", "exact", 0, 0, 0, 1, 1, 1))[0].pass);
}

TEST_CASE("never seen: a negative timing agrees only where some repetition never saw it", "[validate][bands]") {
  const auto mixed = band_rows(three("detect_ms f1", "20% or 100ms", -1, 2800, 2900, -1, -1, 2700));
  CHECK(mixed[0].pass);  // sim median -1 (never), and the kernel's first run never saw it either
  CHECK(mixed[0].real_min == 2800);
  const auto always = band_rows(three("detect_ms f1", "20% or 100ms", 2800, 2850, 2900, -1, -1, -1));
  CHECK_FALSE(always[0].pass);
  const auto never = band_rows(three("detect_ms f1", "20% or 100ms", -1, -1, -1, 50, 50, 50));
  CHECK_FALSE(never[0].pass);
}

TEST_CASE("a text row passes when the simulator's usual choice is one the kernel made", "[validate][bands]") {
  std::vector<std::vector<CompareRow>> reps = {
      {{"path choice", 0, 0, "exact", false, "nvmet.p1", "nvmet.p1+nvmet.p2"}},
      {{"path choice", 0, 0, "exact", false, "nvmet.p1+nvmet.p2", "nvmet.p1+nvmet.p2"}},
      {{"path choice", 0, 0, "exact", false, "nvmet.p1", "nvmet.p1"}}};
  auto rows = band_rows(reps);
  CHECK(rows[0].pass);
  CHECK(rows[0].sim_text == "nvmet.p1+nvmet.p2");
  CHECK(rows[0].real_text == "nvmet.p1 | nvmet.p1+nvmet.p2");
  reps[1][0].real_text = "nvmet.p1";
  CHECK_FALSE(band_rows(reps)[0].pass);
  reps[1][0].real_text = "too short (40 ms, 300 I/Os)";
  reps[0][0].real_text = "nvmet.p1+nvmet.p2";
  CHECK_FALSE(band_rows(reps)[0].pass);  // a too-short phase is never judged as agreeing
}

TEST_CASE("one repetition leaves the row as compare_runs made it", "[validate][bands]") {
  std::vector<std::vector<CompareRow>> one = {{{"iops", 9000, 8000, "10%", false, "", ""}}};
  auto rows = band_rows(one);
  CHECK(rows[0].repetitions == 1);
  CHECK_FALSE(rows[0].pass);
  CHECK(rows[0].real_min == 9000);
}

TEST_CASE("rows match by measure across repetitions, in first-seen order", "[validate][bands]") {
  std::vector<std::vector<CompareRow>> reps = {{{"iops", 1, 1, "10%", true, "", ""}},
                                               {{"iops", 2, 2, "10%", true, "", ""}, {"stall_ms f1", 5, 5, "20% or 100ms", true, "", ""}}};
  auto rows = band_rows(reps);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].measure == "iops");
  CHECK(rows[0].repetitions == 2);
  CHECK(rows[1].measure == "stall_ms f1");
  CHECK(rows[1].repetitions == 1);
}

TEST_CASE("the noise floor is the band width over the median, per measure kind", "[validate][bands]") {
  ScenarioComparison a{"a", "numa", band_rows(three("iops", "10%", 10000, 5000, 15000, 1, 1, 1))};
  ScenarioComparison b{"b", "numa", band_rows(three("iops", "10%", 10000, 9000, 11000, 1, 1, 1))};
  const std::string text = format_noise_floor({a, b});
  CHECK(text.find("iops         median   20.0%  max   100.0%  (2 rows)") != std::string::npos);
  CHECK(format_noise_floor({}).empty());
}
