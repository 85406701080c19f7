// The calibration fit on synthetic figures, its effect on a scenario, and calibration.json.
#include <catch2/catch.hpp>

#include <cmath>

#include "validate/calibration.h"

using namespace mpsim;
using namespace mpsim::validate;

namespace {

// A guest whose one CPU spends 80 us per read (12500 IOPS at QD16) and 100 us per write
// (10000 IOPS): 90 us applied. QD1 reads take 140 us on average, writes 110 us.
CalibrationRuns synthetic() {
  CalibrationRuns r;
  r.qd1_read = {1e6 / 140.0, 140.0, 130.0, 410.0};
  r.qd16_read = {12500.0, 1280.0, 1200.0, 3000.0};
  r.qd1_write = {1e6 / 110.0, 110.0, 100.0, 300.0};
  r.qd16_write = {10000.0, 1600.0, 1500.0, 4000.0};
  return r;
}

}  // namespace

TEST_CASE("CPU cost from QD16 IOPS, service time from the rest of QD1 latency", "[validate][calibration]") {
  CalibrationFit fit = fit_calibration(synthetic());
  CHECK(fit.read_cpu_per_io_us == Approx(80.0));
  CHECK(fit.write_cpu_per_io_us == Approx(100.0));
  CHECK(fit.cpu_per_io_us == Approx(90.0));
  CHECK(fit.read_service_us == Approx(50.0));
  CHECK(fit.write_service_us == Approx(20.0));
  // Service part p50 40 us, p99 320 us: sigma = ln(8) / 2.326.
  const double sigma = std::log(8.0) / 2.326348;
  CHECK(fit.latency_cv == Approx(std::sqrt(std::exp(sigma * sigma) - 1.0)).epsilon(1e-6));
}

TEST_CASE("a QD1 latency below the CPU cost leaves no service time and no spread", "[validate][calibration]") {
  CalibrationRuns r = synthetic();
  r.qd1_read = {20000.0, 50.0, 45.0, 900.0};  // faster than 1/QD16 IOPS: QD16 is not CPU-bound here
  CalibrationFit fit = fit_calibration(r);
  CHECK(fit.read_service_us == 0.0);
  CHECK(fit.latency_cv == 0.0);
}

TEST_CASE("a calibration run without I/O is refused", "[validate][calibration]") {
  CalibrationRuns r = synthetic();
  r.qd16_write.iops = 0;
  CHECK_THROWS_WITH(fit_calibration(r), Catch::Contains("qd16-randwrite"));
}

TEST_CASE("applying the fit: one host CPU, all CPU cost on it, the service time on every media", "[validate][calibration]") {
  sim::Scenario s;
  auto* host = s.topology.add_hosts();
  host->add_numa_nodes()->set_cpus(2);
  s.models.media["nand-tlc-gen4"] = {};
  s.models.media["other"] = {};
  apply_calibration(fit_calibration(synthetic()), s);
  CHECK(s.topology.hosts(0).numa_nodes(0).cpus() == 1);
  CHECK(s.models.host_cpu.per_io_us == Approx(90.0));
  CHECK(s.models.host_cpu.per_kib_us == 0.0);
  CHECK(s.models.target_cpu.per_io_us == 0.0);
  for (const auto& [name, m] : s.models.media) {
    CHECK(m.read_latency_us == Approx(50.0));
    CHECK(m.write_latency_us == Approx(20.0));
    CHECK(m.parallelism >= 16u);
  }
}

TEST_CASE("calibration.json round-trips and names what is wrong", "[validate][calibration]") {
  Calibration c;
  c.kernel = "Linux version 6.12.117";
  c.command = "mpsim validate --results r";
  c.runs = synthetic();
  c.fit = fit_calibration(c.runs);
  const std::string json = calibration_json(c);
  Calibration back = parse_calibration_json(json, "cal.json");
  CHECK(back.kernel == c.kernel);
  CHECK(back.command == c.command);
  CHECK(back.source == "cal.json");
  CHECK(back.runs.qd16_read.iops == Approx(12500.0));
  CHECK(back.fit.cpu_per_io_us == Approx(c.fit.cpu_per_io_us));
  CHECK(back.fit.latency_cv == Approx(c.fit.latency_cv));
  CHECK(calibration_json(back) == json);
  CHECK_THROWS_WITH(parse_calibration_json("{\"kernel\": \"k\"}", "cal.json"), Catch::Contains("cal.json: missing field \"command\""));
  CHECK_THROWS_WITH(parse_calibration_json("not json", "cal.json"), Catch::Contains("cal.json: not JSON"));
}
