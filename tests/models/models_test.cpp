#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "models/media.h"
#include "models/model_set.h"
#include "models/transport.h"

using namespace mpsim::models;

TEST_CASE("default models carry the anchor values", "[models]") {
  const ModelSet m = default_models();
  REQUIRE(m.media.count("nand-tlc-gen4") == 1);
  const MediaParams& tlc = m.media.at("nand-tlc-gen4");
  CHECK(tlc.read_latency_us == 80.0);
  // ~1M 4 KiB read IOPS at depth: parallelism / latency (Little's law).
  CHECK(tlc.parallelism / (tlc.read_latency_us * 1e-6) == Approx(1e6));
  CHECK(m.transport.inline_data_size == 8192);
  CHECK(m.host_cpu.per_io_us == 5.0);
}

TEST_CASE("media service time: lognormal with the configured mean and cv", "[models][media]") {
  MediaParams p;
  p.read_latency_us = 80;
  p.latency_cv = 0.3;
  MediaModel m(p);
  std::mt19937_64 rng(1);
  double sum = 0, sum_sq = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double v = double(m.service_ns(true, 4096, rng));
    sum += v;
    sum_sq += v * v;
  }
  const double mean = sum / n;
  const double cv = std::sqrt(sum_sq / n - mean * mean) / mean;
  CHECK(mean == Approx(80000).epsilon(0.01));
  CHECK(cv == Approx(0.3).epsilon(0.03));
}

TEST_CASE("media: cv 0 is exact, and blocks beyond 4 KiB pay size / bandwidth", "[models][media]") {
  MediaParams p;
  p.read_latency_us = 80;
  p.latency_cv = 0;
  p.read_bandwidth_Bps = 4.096e9;
  MediaModel m(p);
  std::mt19937_64 rng(1);
  CHECK(m.service_ns(true, 4096, rng) == 80000);
  CHECK(m.service_ns(true, 4096 + 4096000, rng) == 80000 + 1000000);
  CHECK(m.mean_ns(true, 4096) == 80000);
  p.parallelism = 0;
  CHECK_THROWS_AS(MediaModel(p), std::invalid_argument);
}

TEST_CASE("NVMe/TCP bytes on the wire", "[models][transport]") {
  const TransportModel t(TransportParams{});
  // 72-byte command capsule in one segment with 66 bytes of Ethernet/IP/TCP.
  const WireCost read = t.io_cost(true, 4096);
  CHECK(read.command_bytes == 72 + 66);
  // C2H data PDU (24 + 4096) + response capsule (24) = 4144 bytes: 3 segments of 1448.
  CHECK(read.response_bytes == 4144 + 3 * 66);
  CHECK(read.r2t_bytes == 0);
  // 8 KiB write: in-capsule (inline_data_size 8 KiB), no R2T.
  const WireCost small = t.io_cost(false, 8192);
  CHECK(small.command_bytes == t.on_wire(72 + 8192));
  CHECK(small.r2t_bytes == 0);
  CHECK(small.response_bytes == 24 + 66);
  // 16 KiB write: capsule, R2T back, H2C data PDU.
  const WireCost big = t.io_cost(false, 16384);
  CHECK(big.command_bytes == 72 + 66);
  CHECK(big.r2t_bytes == 24 + 66);
  CHECK(big.h2c_bytes == t.on_wire(24 + 16384));
}

TEST_CASE("CPU cost per I/O", "[models][cpu]") {
  CHECK(cpu_cost_ns(CpuParams{5.0, 0.05}, 4096) == 5200);
  CHECK(cpu_cost_ns(CpuParams{5.0, 0.05}, 0) == 5000);
}

TEST_CASE("CPU cost per I/O direction: a write adds write_extra_us, a read does not", "[models][cpu]") {
  CpuParams p{5.0, 0.05, 3.5};
  CHECK(cpu_cost_ns(p, 4096, true) == 5200);
  CHECK(cpu_cost_ns(p, 4096, false) == 8700);
  CHECK(cpu_cost_ns(p, 0, false) == 8500);
  p.write_extra_us = 0;
  CHECK(cpu_cost_ns(p, 4096, false) == cpu_cost_ns(p, 4096, true));
}

TEST_CASE("default CPU models have no pauses", "[models][cpu]") {
  const ModelSet m = default_models();
  CHECK(m.host_cpu.pause_rate_per_s == 0.0);
  CHECK(m.host_cpu.pause_mean_us == 0.0);
  CHECK(m.target_cpu.pause_rate_per_s == 0.0);
  CHECK(m.host_cpu.write_extra_us == 0.0);
}
