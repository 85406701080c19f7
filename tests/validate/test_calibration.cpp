// The calibration fit on synthetic and measured figures, its effect on a scenario and on the
// simulator's prediction of the calibration runs themselves, and calibration.json.
#include <catch2/catch.hpp>

#include <cmath>

#include "experiments/experiment_loader.h"
#include "sim/engine.h"
#include "topologies/file_io.h"
#include "topologies/textproto.h"
#include "validate/calibration.h"
#include "measured_calibration.h"

using namespace mpsim;
using namespace mpsim::validate;

namespace {

// A guest whose one CPU does 80 us of work per read and 100 us per write (QD16 p50 16 x that)
// and works 80 % of the wall time during the QD16 read run (10000 IOPS x 80 us). A lone read's
// median is 130 us (50 us off the CPU), a lone write's 120 us (20 us).
CalibrationRuns synthetic() {
  CalibrationRuns r;
  r.qd1_read = {1e6 / 140.0, 140.0, 130.0, 480.0};
  r.qd16_read = {10000.0, 1600.0, 1280.0, 6000.0};
  r.qd1_write = {1e6 / 130.0, 130.0, 120.0, 300.0};
  r.qd16_write = {8000.0, 2000.0, 1600.0, 8000.0};
  return r;
}

CalibrationRuns final2() { return testing::final2_runs(); }

double percentile(const sim::LatencyStats& l, double p) {
  for (const auto& [q, ns] : l.percentiles) {
    if (q == p) return double(ns) / 1000.0;
  }
  FAIL("no percentile " << p);
  return 0;
}

sim::Scenario calibration_scenario(const char* name) {
  const std::string file = std::string(MPSIM_SOURCE_DIR) + "/validate/calibration/" + name + ".textproto";
  return experiments::load_experiment_file(file).runs.at(0).scenario;
}

}  // namespace

TEST_CASE("CPU cost per direction from QD16 p50, service time from the rest of QD1 p50", "[validate][calibration]") {
  CalibrationFit fit = fit_calibration(synthetic());
  CHECK(fit.read_cpu_per_io_us == Approx(80.0));
  CHECK(fit.write_cpu_per_io_us == Approx(100.0));
  CHECK(fit.cpu_per_io_us == Approx(80.0));
  CHECK(fit.write_extra_us == Approx(20.0));
  CHECK(fit.read_service_us == Approx(50.0));
  CHECK(fit.write_service_us == Approx(20.0));
  // Service part p50 50 us, p99 400 us: sigma = ln(8) / 2.326.
  const double sigma = std::log(8.0) / 2.326348;
  CHECK(fit.latency_cv == Approx(std::sqrt(std::exp(sigma * sigma) - 1.0)).epsilon(1e-6));
}

TEST_CASE("CPU pauses: lost time from QD16 IOPS, their length from QD16 p99", "[validate][calibration]") {
  CalibrationRuns r = synthetic();
  r.qd16_write.iops = 10000.0;  // 10000 x 100 us: the write run's CPU was never away
  CalibrationFit fit = fit_calibration(r);
  // The read run lost 0.25 us per us of work, the write run none: 0.125 on average.
  CHECK(fit.cpu_available == Approx(1.0 / 1.125));
  CHECK(fit.pause_rate_per_s * fit.pause_mean_us * 1e-6 == Approx(0.125));
  // The pause length is the read run's: p99 - p50 = d ln(h / 0.01), h = 1 - exp(-0.25 W / d).
  const double d = fit.pause_mean_us, window = 1600.0;
  const double hit = 1.0 - std::exp(-0.25 * window / d);
  CHECK(d * std::log(hit / 0.01) == Approx(6000.0 - 1280.0).epsilon(1e-6));
  // The shorter of the two pause lengths that reach that tail (the longer one is > 100 W lost / e).
  CHECK(d < 100.0 * 0.25 * window / std::exp(1.0));
}

TEST_CASE("both QD16 runs measure the pauses: their lost time is averaged", "[validate][calibration]") {
  CalibrationRuns r = synthetic();
  r.qd16_write.iops = 5000.0;  // 5000 x 100 us: half the time away, 1 us lost per us of work
  CalibrationFit fit = fit_calibration(r);
  CHECK(fit.pause_rate_per_s * fit.pause_mean_us * 1e-6 == Approx((0.25 + 1.0) / 2));
  CHECK(fit.cpu_available == Approx(1.0 / 1.625));
}

TEST_CASE("a tail longer than any pause length can give takes the longest-reaching one", "[validate][calibration]") {
  CalibrationRuns r = synthetic();
  r.qd16_read.p99_us = 1e7;   // 10 s above p50 from 0.25 us lost per us of work: out of reach
  r.qd16_write.iops = 10000.0;
  const CalibrationFit fit = fit_calibration(r);
  const double lost = 0.25, window = 1600.0, d = fit.pause_mean_us;
  // The peak of d ln(h / 0.01) lies near d = 100 W lost / e = 14.7 ms.
  CHECK(d == Approx(100.0 * lost * window / std::exp(1.0)).epsilon(0.05));
  CHECK(fit.pause_rate_per_s * d * 1e-6 == Approx(0.125));
}

TEST_CASE("a CPU that was never away has no pauses", "[validate][calibration]") {
  CalibrationRuns r = synthetic();
  r.qd16_read.iops = 12500.0;  // 12500 x 80 us = the whole second
  r.qd16_write.iops = 10000.0;
  CalibrationFit fit = fit_calibration(r);
  CHECK(fit.cpu_available == 1.0);
  CHECK(fit.pause_rate_per_s == 0.0);
  CHECK(fit.pause_mean_us == 0.0);
}

TEST_CASE("the measured guest: reads 56 us, writes 71 us, ~200 pauses/s of ~2.7 ms, no service time", "[validate][calibration]") {
  CalibrationFit fit = fit_calibration(final2());
  CHECK(fit.read_cpu_per_io_us == Approx(55.87).epsilon(0.001));
  CHECK(fit.write_cpu_per_io_us == Approx(70.55).epsilon(0.001));
  CHECK(fit.write_extra_us == Approx(14.68).epsilon(0.01));
  // A whole lone I/O (QD1 p50 47.8 / 52.9 us) costs less than its CPU work at QD16: nothing left.
  CHECK(fit.read_service_us == 0.0);
  CHECK(fit.write_service_us == 0.0);
  CHECK(fit.latency_cv == 0.0);
  // Lost time: reads 1 / (55.87 us x 14236.5) - 1 = 0.257, writes 0.871.
  CHECK(fit.cpu_available == Approx(1.0 / 1.564).epsilon(0.005));
  CHECK(fit.pause_rate_per_s > 180.0);
  CHECK(fit.pause_rate_per_s < 230.0);
  CHECK(fit.pause_mean_us > 2400.0);
  CHECK(fit.pause_mean_us < 3100.0);
}

TEST_CASE("the simulator given the fit behaves as the fit's equations say", "[validate][calibration]") {
  sim::Scenario s = calibration_scenario("qd16-randread");
  const CalibrationFit fit = fit_calibration(final2());
  apply_calibration(fit, s);
  const sim::RunResult r = sim::run_scenario(s);
  const auto& read = r.jobs.at(0).read;
  INFO("sim: " << read.iops() << " IOPS, p50 " << percentile(read.clat, 50) << " us, p99 " << percentile(read.clat, 99)
               << " us, p99.9 " << percentile(read.clat, 99.9) << " us");
  const double c = fit.read_cpu_per_io_us, iops = fit.cpu_available / c * 1e6;
  const double d = fit.pause_mean_us, lost = 1.0 / fit.cpu_available - 1.0, window = 16.0 / iops * 1e6;
  // 2 s hold ~300 pauses: IOPS and p99 carry their sampling noise.
  CHECK(read.iops() == Approx(iops).epsilon(0.06));
  CHECK(percentile(read.clat, 50) == Approx(16.0 * c).epsilon(0.03));
  CHECK(percentile(read.clat, 99) == Approx(16.0 * c + d * std::log(100.0 * -std::expm1(-lost * window / d))).epsilon(0.3));
}

TEST_CASE("a QD1 latency below the CPU cost leaves no service time and no spread", "[validate][calibration]") {
  CalibrationRuns r = synthetic();
  r.qd1_read = {20000.0, 50.0, 45.0, 900.0};
  CalibrationFit fit = fit_calibration(r);
  CHECK(fit.read_service_us == 0.0);
  CHECK(fit.latency_cv == 0.0);
}

TEST_CASE("a calibration run without I/O or without a tail is refused", "[validate][calibration]") {
  CalibrationRuns r = synthetic();
  r.qd16_write.iops = 0;
  CHECK_THROWS_WITH(fit_calibration(r), Catch::Contains("qd16-randwrite"));
  r = synthetic();
  r.qd16_read.p99_us = r.qd16_read.p50_us;
  CHECK_THROWS_WITH(fit_calibration(r), Catch::Contains("qd16-randread: p99"));
}

TEST_CASE("applying the fit: one host CPU with both costs and the pauses, service time on every media", "[validate][calibration]") {
  sim::Scenario s;
  auto* host = s.topology.add_hosts();
  host->add_numa_nodes()->set_cpus(2);
  s.models.media["nand-tlc-gen4"] = {};
  s.models.media["other"] = {};
  const CalibrationFit fit = fit_calibration(synthetic());
  apply_calibration(fit, s);
  CHECK(s.topology.hosts(0).numa_nodes(0).cpus() == 1);
  CHECK(s.models.host_cpu.per_io_us == Approx(80.0));
  CHECK(s.models.host_cpu.write_extra_us == Approx(20.0));
  CHECK(s.models.host_cpu.per_kib_us == 0.0);
  CHECK(s.models.host_cpu.pause_rate_per_s == Approx(fit.pause_rate_per_s));
  CHECK(s.models.host_cpu.pause_mean_us == Approx(fit.pause_mean_us));
  CHECK(s.models.target_cpu.per_io_us == 0.0);
  CHECK(s.models.target_cpu.pause_rate_per_s == 0.0);
  for (const auto& [name, m] : s.models.media) {
    CHECK(m.read_latency_us == Approx(50.0));
    CHECK(m.write_latency_us == Approx(20.0));
    CHECK(m.parallelism >= 16u);
  }
}

namespace {

// The final2 runs, fitted, with their provenance.
Calibration fitted_final2(const char* kernel, const char* command) {
  Calibration c;
  c.kernel = kernel;
  c.command = command;
  c.runs = final2();
  c.fit = fit_calibration(c.runs);
  return c;
}

}  // namespace

TEST_CASE("calibration.json round-trips and names what is wrong", "[validate][calibration]") {
  const Calibration c = fitted_final2("Linux version 6.12.117", "mpsim validate --results r");
  const std::string json = calibration_json(c);
  Calibration back = parse_calibration_json(json, "cal.json");
  CHECK(back.kernel == c.kernel);
  CHECK(back.command == c.command);
  CHECK(back.source == "cal.json");
  CHECK(back.runs.qd16_read.iops == Approx(14236.5));
  CHECK(back.fit.cpu_per_io_us == Approx(c.fit.cpu_per_io_us));
  CHECK(back.fit.write_extra_us == Approx(c.fit.write_extra_us));
  CHECK(back.fit.pause_rate_per_s == Approx(c.fit.pause_rate_per_s));
  CHECK(back.fit.pause_mean_us == Approx(c.fit.pause_mean_us));
  CHECK(back.fit.cpu_available == Approx(c.fit.cpu_available));
  CHECK(back.fit.per_call_us == 0.0);
  Calibration batched = c;
  batched.runs.batching = {10000, 25000};
  batched.fit = fit_calibration(batched.runs);
  const Calibration batched_back = parse_calibration_json(calibration_json(batched), "cal.json");
  CHECK(batched_back.runs.batching.batch16_iops == Approx(25000));
  CHECK(batched_back.fit.per_call_us == Approx(batched.fit.per_call_us));
  CHECK(calibration_json(batched_back) == calibration_json(batched));
  CHECK(calibration_json(back) == json);
  CHECK_THROWS_WITH(parse_calibration_json("{\"kernel\": \"k\"}", "cal.json"), Catch::Contains("cal.json: missing field \"command\""));
  CHECK_THROWS_WITH(parse_calibration_json("not json", "cal.json"), Catch::Contains("cal.json: not JSON"));
  std::string bad = json;
  bad.replace(bad.find("\"pause_rate_per_s\": ") + 20, 1, "\"x\", \"ignored\": 1");
  CHECK_THROWS_WITH(parse_calibration_json(bad, "cal.json"), Catch::Contains("cal.json: fit: field \"pause_rate_per_s\" is not a number"));
  bad = json;
  bad.replace(bad.find("\"pause_mean_us\": ") + 17, 0, "-");
  CHECK_THROWS_WITH(parse_calibration_json(bad, "cal.json"), Catch::Contains("field \"pause_mean_us\" must be >= 0"));
}

TEST_CASE("a calibration.json from before CPU pauses is refitted from its runs", "[validate][calibration]") {
  const Calibration c = fitted_final2("k", "cmd");
  std::string json = calibration_json(c);
  const std::size_t cut = json.find(",\n    \"cpu_available\"");
  REQUIRE(cut != std::string::npos);
  json = json.substr(0, cut) + "\n  }\n}";
  const Calibration back = parse_calibration_json(json, "old.json");
  CHECK(back.source == "old.json, refitted from its runs");
  CHECK(back.fit.pause_mean_us == Approx(c.fit.pause_mean_us));
  CHECK(back.fit.write_extra_us == Approx(c.fit.write_extra_us));
}

TEST_CASE("an experiment file can set the CPU model's direction cost and pauses", "[validate][calibration]") {
  const std::string dir = std::string(MPSIM_SOURCE_DIR) + "/validate/calibration";
  const std::string base = topology::read_file(dir + "/qd16-randread.textproto");
  const auto loaded = experiments::load_experiment_text(
      base + "models { host_cpu { write_extra_us: 3 pause_rate_per_s: 40 pause_mean_us: 1500 } }\n", "x.textproto", dir);
  const auto& cpu = loaded.runs.at(0).scenario.models.host_cpu;
  CHECK(cpu.write_extra_us == 3.0);
  CHECK(cpu.pause_rate_per_s == 40.0);
  CHECK(cpu.pause_mean_us == 1500.0);
  CHECK_THROWS_WITH(experiments::load_experiment_text(base + "models { host_cpu { pause_mean_us: -1 } }\n", "x.textproto", dir),
                    Catch::Contains("pause_mean_us"));
}

TEST_CASE("the batching run splits the CPU cost into a part per I/O and a part per io_submit", "[validate][calibration]") {
  CalibrationRuns runs = final2();
  const double c = fit_calibration(runs).read_cpu_per_io_us;
  runs.batching = {10000, 25000};  // R = 2.5: call = 16/15 c (1 - 1/2.5)
  const CalibrationFit fit = fit_calibration(runs);
  CHECK(fit.per_call_us == Approx(16.0 / 15.0 * c * 0.6));
  CHECK(fit.cpu_per_io_us + fit.per_call_us == Approx(c));  // an unbatched read costs what it did
  CHECK(fit.read_cpu_per_io_us == Approx(c));
  runs.batching = {10000, 9000};  // the boot slowed between the jobs: no negative call cost
  CHECK(fit_calibration(runs).per_call_us == 0.0);
  runs.batching = {};  // not measured
  CHECK(fit_calibration(runs).per_call_us == 0.0);
}

TEST_CASE("the simulator given a batching fit reproduces the batching run's IOPS ratio", "[validate][calibration]") {
  CalibrationRuns runs = final2();
  runs.batching = {10000, 25000};
  const CalibrationFit fit = fit_calibration(runs);
  sim::Scenario s = calibration_scenario("qd16-randread-batch");
  apply_calibration(fit, s);
  s.models.host_cpu.pause_rate_per_s = 0;  // pauses scale both jobs alike; without them 2 s is exact enough
  const sim::RunResult r = sim::run_scenario(s);
  REQUIRE(r.jobs.size() == 2);
  CHECK(r.jobs[1].read.iops() / r.jobs[0].read.iops() == Approx(2.5).epsilon(0.05));
}

TEST_CASE("a write never costs less per I/O than nothing, whatever the batching run says", "[validate][calibration]") {
  CalibrationRuns runs = final2();
  runs.qd16_write.p50_us = runs.qd16_read.p50_us * 0.8;  // writes measured cheaper than reads
  runs.batching = {10000, 50000};                         // and most of a read's cost per call
  const CalibrationFit fit = fit_calibration(runs);
  CHECK(fit.cpu_per_io_us + fit.write_extra_us >= 0.0);
}
