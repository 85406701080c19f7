#include <catch2/catch.hpp>

#include <cmath>

#include "models/calibrate.h"

using namespace mpsim::models;

namespace {

FioRunFigures run(const char* origin, std::uint32_t qd, double iops, double mean_us, double p50_us, double p99_us) {
  FioRunFigures r;
  r.origin = origin;
  r.block_bytes = 4096;
  r.queue_depth = qd;
  r.iops = iops;
  r.mean_us = mean_us;
  r.p50_us = p50_us;
  r.p99_us = p99_us;
  return r;
}

}  // namespace

TEST_CASE("calibrate: cv from p99/p50 inverts the lognormal's percentile ratio", "[models][calibrate]") {
  // sigma = 0.5: p99 / p50 = exp(2.3263 x 0.5); cv = sqrt(exp(0.25) - 1).
  CHECK(cv_from_p99_over_p50(std::exp(2.3263478740408408 * 0.5)) == Approx(std::sqrt(std::expm1(0.25))).epsilon(1e-9));
  CHECK(cv_from_p99_over_p50(1.0) == 0.0);
  CHECK(cv_from_p99_over_p50(0.5) == 0.0);
}

TEST_CASE("calibrate: latency from the shallow run, parallelism from the deep run's IOPS", "[models][calibrate]") {
  const MediaParams base;
  // 100 us per read, 32 deep at 160k IOPS: 160000 x 100e-6 = 16 units busy of 32 outstanding.
  const MediaFit fit = fit_media(run("deep.json", 32, 160000, 200, 195, 260), run("qd1.json", 1, 9500, 100, 98, 130), base);
  CHECK(fit.params.read_latency_us == Approx(100));
  CHECK(fit.params.parallelism == 16);
  CHECK_FALSE(fit.parallelism_lower_bound);
  CHECK(fit.params.latency_cv == Approx(cv_from_p99_over_p50(130.0 / 98.0)));
  CHECK(fit.params.write_latency_us == base.write_latency_us);  // not measured: kept
  CHECK(fit.params.read_bandwidth_Bps == base.read_bandwidth_Bps);
  // The local stack comes off the access time, so the units are busy less: 16k x 90e-6 = 14.4.
  const MediaFit less = fit_media(run("qd1.json", 1, 9500, 100, 98, 130), run("deep.json", 32, 160000, 200, 195, 260), base, 10);
  CHECK(less.params.read_latency_us == Approx(90));
  CHECK(less.params.parallelism == 14);
}

TEST_CASE("calibrate: a deep run that queued nothing bounds the parallelism from below", "[models][calibrate]") {
  // QD16 at 16 / 100 us = 160k IOPS: every I/O was in service, the device may serve more at once.
  const MediaFit fit = fit_media(run("a.json", 1, 9900, 100, 99, 120), run("b.json", 16, 158000, 101, 100, 125), MediaParams{});
  CHECK(fit.parallelism_lower_bound);
  CHECK(fit.params.parallelism == 16);
  REQUIRE_FALSE(fit.notes.empty());
  CHECK_THAT(fit.notes.front(), Catch::Contains("at least"));
}

TEST_CASE("calibrate: a block size above 4 KiB takes its transfer off the access time", "[models][calibrate]") {
  MediaParams base;
  base.read_bandwidth_Bps = 1e9;
  FioRunFigures a = run("a.json", 1, 4000, 250, 240, 300), b = run("b.json", 8, 12000, 600, 590, 700);
  a.block_bytes = b.block_bytes = 131072;  // (128 - 4) KiB at 1 GB/s = 126.976 us
  const MediaFit fit = fit_media(a, b, base);
  CHECK(fit.params.read_latency_us == Approx(250 - 126.976));
  CHECK(fit.params.parallelism == 3);  // 12000 x 250e-6
}

TEST_CASE("calibrate: unusable figures name the file and the field", "[models][calibrate]") {
  const MediaParams base;
  const FioRunFigures qd1 = run("qd1.json", 1, 9500, 100, 98, 130);
  auto message = [&](const FioRunFigures& a, const FioRunFigures& b) {
    try {
      fit_media(a, b, base);
    } catch (const CalibrationInputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(message(qd1, run("again.json", 1, 9400, 101, 99, 131)),
             Catch::Contains("qd1.json and again.json: iodepth: both runs at queue depth 1"));
  CHECK_THAT(message(qd1, run("idle.json", 16, 0, 100, 98, 130)), Catch::Contains("idle.json: read.iops: is 0"));
  FioRunFigures write = run("w.json", 16, 50000, 20, 19, 25);
  write.read = false;
  CHECK_THAT(message(qd1, write), Catch::Contains("one run reads, the other writes"));
  FioRunFigures big = run("big.json", 16, 5000, 300, 290, 400);
  big.block_bytes = 131072;
  CHECK_THAT(message(qd1, big), Catch::Contains("bs: block sizes differ"));
  CHECK_THAT(message(run("zero.json", 1, 9500, 100, 0, 130), big), Catch::Contains("zero.json: read.clat_ns.percentile.50.000000"));
}
