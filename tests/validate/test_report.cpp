// The side-by-side report: values, one aligned line per row, and the agreement summary.
#include <catch2/catch.hpp>

#include "validate/report.h"

using namespace mpsim::validate;

namespace {

ScenarioComparison sample() {
  ScenarioComparison c{"steady-opt-opt-rr", "round-robin", {}};
  c.rows.push_back({"iops", 11000, 11800, "10%", true, "", ""});
  c.rows.push_back({"p50_us", 963.1, 1410.0, "15%", false, "", ""});
  c.rows.push_back({"share nvmet.p1", 50.0, 50.04, "3pp", true, "", ""});
  c.rows.push_back({"path choice", 0, 0, "exact", true, "nvmet.p1+nvmet.p2", "nvmet.p1+nvmet.p2"});
  c.rows.push_back({"detect_ms f1", -1, 12, "20% or 100ms", false, "", ""});
  return c;
}

}  // namespace

TEST_CASE("values print in the measure's unit", "[validate][report]") {
  CHECK(format_value("iops", 11318.4) == "11318");
  CHECK(format_value("p99.9_us", 14946.24) == "14946.2 us");
  CHECK(format_value("share nvmet.p2", 49.96) == "50.0%");
  CHECK(format_value("stall_ms f1", 2888) == "2888 ms");
  CHECK(format_value("detect_ms f1", -1) == "none");
  CHECK(format_value("recover_ms f2", 239.4) == "239 ms");
  CHECK(format_value("share nvmet.p1 after f1: down", 3.04) == "3.0%");
}

TEST_CASE("one line per row with real, sim, tolerance and verdict", "[validate][report]") {
  const std::string text = format_scenario(sample());
  CHECK(text.rfind("scenario steady-opt-opt-rr (round-robin)\n", 0) == 0);
  CHECK(text.find("  p50_us                                       963.1 us          1410.0 us  15%           FAIL\n") != std::string::npos);
  CHECK(text.find(" nvmet.p1+nvmet.p2  nvmet.p1+nvmet.p2  exact         PASS") != std::string::npos);
  CHECK(text.find("none") != std::string::npos);
}

TEST_CASE("agreement counts rows per measure kind and never says passed/failed", "[validate][report]") {
  ScenarioComparison second = sample();
  second.rows[0].pass = false;
  const std::string text = format_agreement({sample(), second});
  CHECK(text.find("  iops            1 of    2\n") != std::string::npos);
  CHECK(text.find("  share           2 of    2\n") != std::string::npos);
  CHECK(text.find("  path choice     2 of    2\n") != std::string::npos);
  CHECK(text.find("agreement: 5 of 10 rows within tolerance over 2 scenarios\n") != std::string::npos);
  CHECK(text.find("passed") == std::string::npos);
  CHECK(text.find("failed") == std::string::npos);
}

TEST_CASE("drift line: start and end QD16 IOPS and the change", "[validate][report]") {
  CHECK(format_drift(8000, 12000) == "host drift: QD16 randread 8000 IOPS at the start of the run, 12000 at the end (+50%)\n");
  CHECK(format_drift(20000, 15000).find("(-25%)") != std::string::npos);
}

TEST_CASE("phase rows are their own kinds and the conformance line counts them", "[validate][report]") {
  ScenarioComparison c = sample();
  c.rows.push_back({"path choice after f1: down", 0, 0, "exact", true, "nvmet.p2", "nvmet.p2"});
  c.rows.push_back({"share nvmet.p1 after f1: down", 0.0, 4.0, "3pp", false, "", ""});
  c.rows.push_back({"path choice after f1: up", 0, 0, "exact", false, "too short (40 ms, 300 I/Os)", "nvmet.p1"});
  const std::string text = format_agreement({c});
  CHECK(text.find("  share           1 of    1\n") != std::string::npos);  // the whole-run row only
  CHECK(text.find("  path choice     1 of    1\n") != std::string::npos);
  CHECK(text.find("  phase choice    1 of    2\n") != std::string::npos);
  CHECK(text.find("  phase share     0 of    1\n") != std::string::npos);
  CHECK(text.find("conformance after state changes: 1 of 3 rows within tolerance (1 phases too short to judge)\n") !=
        std::string::npos);
  CHECK(text.find("agreement: 4 of 8 rows within tolerance over 1 scenarios\n") != std::string::npos);
  CHECK(format_scenario(c).find("too short (40 ms, 300 I/Os)") != std::string::npos);
}

TEST_CASE("the calibration line names every fitted parameter the simulator gets", "[validate][report]") {
  Calibration c;
  c.source = "measured";
  c.kernel = "Linux version 6.12";
  c.fit.cpu_per_io_us = 55.9;
  c.fit.write_extra_us = 14.7;
  c.fit.read_cpu_per_io_us = 55.9;
  c.fit.write_cpu_per_io_us = 70.6;
  c.fit.cpu_available = 0.59;
  c.fit.pause_rate_per_s = 205;
  c.fit.pause_mean_us = 2749;
  const std::string text = format_calibration(c);
  CHECK(text.find("55.9 us CPU per read + 14.7 us per write") != std::string::npos);
  CHECK(text.find("CPU there 59 % (205 pauses/s of 2749 us)") != std::string::npos);
}

TEST_CASE("a row merged over repetitions prints the kernel's median and band", "[validate][report]") {
  ScenarioComparison c = sample();
  c.rows[0].repetitions = 3;
  c.rows[0].real_min = 6000;
  c.rows[0].real_max = 12500;
  const std::string text = format_scenario(c);
  CHECK(text.find("real median [min, max]") != std::string::npos);
  CHECK(text.find("11000 [6000, 12500]") != std::string::npos);
  CHECK(format_scenario(sample()).find("[") == std::string::npos);  // one repetition: the plain table
  CHECK(format_value("ratio-iops a / b", 0.68712) == "0.687");
  CHECK(format_value("share-moved a / b", 49.84) == "49.8pp");
}

TEST_CASE("targets: each measure's share within the band against the issue's figure", "[validate][report]") {
  ScenarioComparison second = sample();
  second.rows[0].pass = false;
  ScenarioComparison ratios{"g", "ratios to b", {{"ratio-iops a / b", 0.5, 0.5, "10%", true, "", ""}}};
  const std::string text = format_targets({sample(), second}, {ratios});
  CHECK(text.find("  iops            1 of    2 =  50.0%  target >= 80%: missed\n") != std::string::npos);
  CHECK(text.find("  detect_ms       0 of    2 =   0.0%  target >= 95%: missed\n") != std::string::npos);
  CHECK(text.find("  stall_ms        0 of    0 =   0.0%  target >= 95%: no rows\n") != std::string::npos);
  CHECK(text.find("  ratios          1 of    1 = 100.0%  target >= 90%: met\n") != std::string::npos);
  CHECK(text.find("passed") == std::string::npos);
}
