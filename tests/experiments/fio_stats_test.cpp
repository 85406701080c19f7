// fio's statistics from the simulator's measurements: the json+ bins equal fio's binning of the
// raw samples, the shares and sample statistics follow fio's formulas, the errno is the kernel's.
#include <catch2/catch.hpp>

#include <map>
#include <random>

#include "experiments/fio_logs.h"
#include "experiments/fio_stats.h"
#include "sim/histogram.h"

namespace fio = mpsim::experiments::fio;
namespace sim = mpsim::sim;

TEST_CASE("fio bins: index and value follow fio's plat_val_to_idx / plat_idx_to_val") {
  // Values below 128 are their own bucket; above, 64 buckets per power of two.
  CHECK(fio::plat_index(0) == 0);
  CHECK(fio::plat_index(127) == 127);
  CHECK(fio::plat_value(127) == 127);
  CHECK(fio::plat_index(128) == 128);
  CHECK(fio::plat_index(129) == 128);  // 128..129 share a bucket (error bit 1)
  CHECK(fio::plat_value(128) == 129);  // its middle: 128 + 0.5 * 2
  // Bin names seen in a real fio 3.33 json+ run (ioengine=null): 120, 121, 131, 141, 151.
  for (std::uint64_t v : {120u, 121u, 131u, 141u, 151u}) CHECK(fio::plat_value(fio::plat_index(v)) == v);
  // Every value lies inside the bin named by its index, within fio's 1/128 relative error.
  for (std::uint64_t v = 1; v < (1ull << 34); v = v * 3 + 7) {  // fio's 29 groups end at 2^34 ns
    const double named = double(fio::plat_value(fio::plat_index(v)));
    CHECK(std::abs(named - double(v)) <= double(v) / 128.0 + 1.0);
  }
  CHECK(fio::plat_index(~0ull) == fio::kPlatBuckets - 1);  // clamped to the last bucket
}

TEST_CASE("fio bins from the simulator's histogram equal fio's binning of the raw samples") {
  sim::Histogram h;  // the jobs' histogram (8 bits): finer than fio's everywhere
  std::map<std::uint64_t, std::uint64_t> direct;
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> lat(std::log(100'000.0), 1.5);
  for (int i = 0; i < 200'000; ++i) {
    const auto v = std::int64_t(lat(rng));
    h.add(v);
    ++direct[fio::plat_value(fio::plat_index(std::uint64_t(v)))];
  }
  const auto bins = fio::plat_bins(h.stats());
  REQUIRE(bins.size() == direct.size());
  std::uint64_t total = 0;
  for (const auto& [value, count] : bins) {
    CHECK(direct[value] == count);
    total += count;
  }
  CHECK(total == 200'000);
}

TEST_CASE("latency shares: fio's ranges, percent of all I/Os, 0.01 for a non-empty range") {
  sim::Histogram h;
  for (int i = 0; i < 9'999; ++i) h.add(120'000);  // 100..249 us
  h.add(3'000'000);                                 // 2..3 ms: 1 of 10000 = 0.01 %
  sim::LatencyStats s = h.stats();
  const auto shares = fio::latency_shares({&s});
  CHECK(shares.us[6] == Approx(99.99));
  CHECK(shares.ms[1] == Approx(0.01));
  CHECK(shares.ns[0] == 0.0);
  sim::Histogram tiny;
  for (int i = 0; i < 100'000; ++i) tiny.add(500);
  tiny.add(60'000'000);  // 1 in 100001: below 0.01 %, shown as 0.01 as fio does
  sim::LatencyStats t = tiny.stats();
  CHECK(fio::latency_shares({&t}).ms[5] == 0.01);
}

TEST_CASE("depth shares follow stat_calc_dist, with 0.1 for a non-empty bucket") {
  const auto shares = fio::depth_shares({0, 0, 0, 0, 1, 2000, 0});
  CHECK(shares[4] == 0.1);
  CHECK(shares[5] == Approx(100.0 * 2000 / 2001));
  CHECK(shares[0] == 0.0);
}

TEST_CASE("rate samples: one per full interval with I/O, in IOPS or KiB/s; fio's io_stat over them") {
  sim::DirectionStats d;
  d.windows.resize(5);  // 100 ms windows
  for (int w : {0, 1, 3, 4}) d.windows[w] = sim::SampleWindow{1000, 1000 * 4096, 1000 * 1e5, 200'000};
  // 200 ms intervals over 500 ms measured: [0,2) [2,4); the last 100 ms is no full interval.
  const auto iops = fio::rate_samples(d, 100, 200, 500, false);
  CHECK(iops == std::vector<std::uint64_t>{10'000, 5'000});
  const auto bw = fio::rate_samples(d, 100, 200, 500, true);
  CHECK(bw == std::vector<std::uint64_t>{40'000, 20'000});
  d.windows[2] = d.windows[3] = sim::SampleWindow{};
  CHECK(fio::rate_samples(d, 100, 200, 500, false) == std::vector<std::uint64_t>{10'000});  // empty interval: no sample
  const auto s = fio::sample_stats({10, 20, 30, 40});
  CHECK(s.min == 10);
  CHECK(s.max == 40);
  CHECK(s.mean == Approx(25.0));
  CHECK(s.stddev == Approx(12.909944));  // sample standard deviation (n - 1)
  CHECK(s.samples == 4);
}

TEST_CASE("a job stopped by an I/O error reports the errno the kernel gives the bio") {
  sim::JobResult j;
  CHECK(fio::job_errno(j) == 0);
  j.stopped_by_error = true;
  j.error_reason = "no-available-path";
  CHECK(fio::job_errno(j) == 5);  // EIO
  j.error_reason = "error-status";
  j.error_status = 0x281;
  CHECK(fio::job_errno(j) == 61);  // ENODATA (BLK_STS_MEDIUM)
  j.error_status = 0x370;
  CHECK(fio::job_errno(j) == 67);  // ENOLINK (BLK_STS_TRANSPORT)
}

TEST_CASE("fio logs: windowed lines in fio's format, no line for a window without I/O") {
  sim::JobResult j;
  j.read.windows = {sim::SampleWindow{100, 409'600, 100 * 1000.4, 2000}, sim::SampleWindow{},
                    sim::SampleWindow{50, 204'800, 50 * 3000.0, 9000}};
  j.write.windows = {sim::SampleWindow{10, 40'960, 10 * 5000.0, 6000}};
  fio::LogTiming t{100, 100, 1000, 300};
  CHECK(fio::log_text(fio::LogKind::Lat, j, t) == "1100, 1000, 0, 0, 0\n1100, 5000, 1, 0, 0\n1300, 3000, 0, 0, 0\n");
  CHECK(fio::log_text(fio::LogKind::Iops, j, t) == "1100, 1000, 0, 0, 0\n1100, 100, 1, 0, 0\n1300, 500, 0, 0, 0\n");
  CHECK(fio::log_text(fio::LogKind::Bw, j, t) == "1100, 4000, 0, 0, 0\n1100, 400, 1, 0, 0\n1300, 2000, 0, 0, 0\n");
  CHECK(fio::log_file_name("db", fio::LogKind::Clat, 0) == "db_clat.1.log");
  CHECK(fio::window_ms_for(0) == 500);
  CHECK(fio::window_ms_for(300) == 300);
  CHECK(fio::window_ms_for(700) == 100);  // gcd(500, 700): fio samples rates every 500 ms inside 700 ms windows
}
