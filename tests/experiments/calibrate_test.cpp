// mpsim calibrate end to end below the CLI: fio JSON read strictly, the fit recovering a known
// model from the simulator's own fio.json, and real fio output of this machine's disk.
#include <catch2/catch.hpp>

#include <string>

#include "experiments/calibrate_fio.h"
#include "experiments/reports.h"
#include "experiments/runner.h"
#include "read_file.h"
#include "topologies/json.h"

using namespace mpsim;
using experiments::read_fio_run;
using models::CalibrationInputError;

namespace {

const std::string kData = std::string(MPSIM_SOURCE_DIR) + "/tests/experiments/data/calibrate/";

// The simulator's fio.json of `media` replayed at `qd` (4 KiB random reads).
std::string simulated_fio_json(const models::MediaParams& media, std::uint32_t qd) {
  models::FioRunFigures shape;
  shape.read = true;
  shape.block_bytes = 4096;
  shape.queue_depth = qd;
  experiments::LoadedExperiment exp =
      experiments::load_experiment_text(experiments::replay_experiment_text(media, shape, 1.0), "round-trip", ".");
  const std::vector<sim::RunResult> results = experiments::run_experiment(exp);
  return experiments::fio_json({exp.runs.at(0), results.at(0)});
}

std::string error_of(const std::string& text, const std::string& origin = "x.json") {
  try {
    read_fio_run(text, origin);
  } catch (const CalibrationInputError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("calibrate: a model simulated into fio.json at QD1 and QD32 is recovered from it", "[experiments][calibrate]") {
  models::MediaParams truth;
  truth.read_latency_us = 80;
  truth.latency_cv = 0.3;
  truth.parallelism = 8;
  const models::FioRunFigures qd1 = read_fio_run(simulated_fio_json(truth, 1), "qd1.json");
  const models::FioRunFigures qd32 = read_fio_run(simulated_fio_json(truth, 32), "qd32.json");
  CHECK(qd1.queue_depth == 1);
  CHECK(qd32.queue_depth == 32);
  CHECK(qd1.block_bytes == 4096);
  const models::MediaFit fit = models::fit_media(qd1, qd32, models::MediaParams{});
  // The replay fabric adds ~0.3 us per I/O (two 0.1 us links and the wire time of 4 KiB at 100 Gbps).
  CHECK(fit.params.read_latency_us == Approx(80).epsilon(0.02));
  CHECK(fit.params.parallelism == 8);
  CHECK_FALSE(fit.parallelism_lower_bound);
  CHECK(fit.params.latency_cv == Approx(0.3).epsilon(0.15));  // fio's percentiles are histogram buckets
  // And the fitted model reproduces both runs.
  const std::vector<experiments::SimulatedRun> check = experiments::simulate_fio_runs(fit.params, {qd1, qd32}, 1.0);
  CHECK(check.at(0).iops == Approx(qd1.iops).epsilon(0.03));
  CHECK(check.at(1).iops == Approx(qd32.iops).epsilon(0.03));
  CHECK(check.at(1).p50_us == Approx(qd32.p50_us).epsilon(0.05));
}

TEST_CASE("calibrate: fio 3.33 output of this machine's disk (libaio, QD1 and QD16)", "[experiments][calibrate]") {
  const models::FioRunFigures qd1 = read_fio_run(read_file(kData + "local-randread-qd1.json"), "qd1.json");
  const models::FioRunFigures qd16 = read_fio_run(read_file(kData + "local-randread-qd16.json"), "qd16.json");
  CHECK(qd1.queue_depth == 1);
  CHECK(qd16.queue_depth == 16);
  CHECK(qd1.read);
  CHECK(qd1.iops == Approx(3715.617716));
  CHECK(qd1.mean_us == Approx(243.155153164));
  CHECK(qd1.p50_us == Approx(38.656));
  CHECK(qd16.p99_us == Approx(16056.32));
  const models::MediaFit fit = models::fit_media(qd1, qd16, models::MediaParams{});
  CHECK(fit.params.read_latency_us == Approx(243.155153164));
  CHECK(fit.params.parallelism == 4);  // 17460.5 IOPS x 243.2 us = 4.25 busy of 16
  const std::vector<experiments::SimulatedRun> check = experiments::simulate_fio_runs(fit.params, {qd1, qd16}, 2.0);
  CHECK(check.at(1).iops == Approx(qd16.iops).epsilon(0.10));
}

TEST_CASE("calibrate: fio JSON that cannot be used names the file and the field", "[experiments][calibrate]") {
  topology::Json good = topology::Json::parse(read_file(kData + "local-randread-qd16.json"));
  auto without = [&](auto&& edit) {
    topology::Json j = good;
    edit(j);
    return j.dump();
  };
  CHECK_THAT(error_of("fio: no such option"), Catch::Contains("x.json: (document): not fio JSON"));
  CHECK_THAT(error_of("{\"jobs\": 3"), Catch::Contains("x.json: (document): not fio JSON"));
  CHECK_THAT(error_of("{\"fio version\": \"fio-3.33\"}"), Catch::Contains("x.json: jobs: missing"));
  CHECK_THAT(error_of(without([](auto& j) { j["jobs"].push_back(j["jobs"][0]); })), Catch::Contains("jobs: 2 jobs"));
  CHECK_THAT(error_of(without([](auto& j) { j["jobs"][0]["read"]["clat_ns"]["percentile"].erase("99.000000"); })),
             Catch::Contains("x.json: jobs[0].read.clat_ns.percentile.99.000000: missing"));
  CHECK_THAT(error_of(without([](auto& j) { j["jobs"][0]["read"].erase("iops"); })),
             Catch::Contains("jobs[0].read.iops: missing"));
  CHECK_THAT(error_of(without([](auto& j) { j["jobs"][0]["read"]["iops"] = "many"; })),
             Catch::Contains("jobs[0].read.iops: not a number"));
  CHECK_THAT(error_of(without([](auto& j) { j["jobs"][0]["read"]["iops"] = 0; })),
             Catch::Contains("jobs[0].read.iops: is 0"));
  CHECK_THAT(error_of(without([](auto& j) { j["jobs"][0]["write"]["total_ios"] = 5; })),
             Catch::Contains("both read and wrote"));
  CHECK_THAT(error_of(without([](auto& j) { j["jobs"][0]["job options"]["iodepth"] = "deep"; })),
             Catch::Contains("jobs[0].job options.iodepth: \"deep\" is not a count"));
  CHECK_THAT(error_of(without([](auto& j) { j["jobs"][0]["error"] = 5; })), Catch::Contains("jobs[0].error: 5"));
}

TEST_CASE("calibrate: queue depth is iodepth x numjobs, and 1 x numjobs for a sync engine", "[experiments][calibrate]") {
  topology::Json j = topology::Json::parse(read_file(kData + "local-randread-qd16.json"));
  j["jobs"][0]["job options"]["numjobs"] = "4";
  CHECK(read_fio_run(j.dump(), "x.json").queue_depth == 64);
  j["global options"] = {{"ioengine", "psync"}};
  j["jobs"][0]["job options"].erase("ioengine");
  CHECK(read_fio_run(j.dump(), "x.json").queue_depth == 4);
  j["jobs"][0]["job options"].erase("iodepth");
  j["jobs"][0]["job options"].erase("numjobs");
  CHECK(read_fio_run(j.dump(), "x.json").queue_depth == 1);  // fio's defaults
}

TEST_CASE("calibrate: the snippet is a models block the loader reads back", "[experiments][calibrate]") {
  models::MediaParams p;
  p.read_latency_us = 123.5;
  p.parallelism = 7;
  p.read_bandwidth_Bps = 2.5e9;
  const std::string snippet = experiments::media_textproto("mine", p, {"a comment"});
  CHECK_THAT(snippet, Catch::StartsWith("# a comment\nmodels {"));
  CHECK_THAT(snippet, Catch::Contains("read_bandwidth: \"2500MB/s\""));
  CHECK_THAT(snippet, Catch::Contains("write_bandwidth: \"4GB/s\""));
  models::FioRunFigures shape;
  shape.block_bytes = 4096;
  shape.queue_depth = 1;
  std::string text = experiments::replay_experiment_text(p, shape, 0.1);
  // The replay experiment carries the same fields; loading it checks them all.
  REQUIRE_NOTHROW(experiments::load_experiment_text(text, "replay", "."));
}
