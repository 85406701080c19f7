// The histogram holds only the bucket range it has seen (sim/histogram.h): growing that range
// down and up, clearing and reusing it, and merging histograms with disjoint ranges give the
// same percentiles as one histogram fed everything.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <vector>

#include "sim/histogram.h"

using mpsim::sim::fio_percentiles;
using mpsim::sim::Histogram;

namespace {

void require_same(const Histogram& a, const Histogram& b) {
  REQUIRE(a.count() == b.count());
  REQUIRE(a.min() == b.min());
  REQUIRE(a.max() == b.max());
  for (double p : fio_percentiles()) REQUIRE(a.percentile(p) == b.percentile(p));
}

}  // namespace

TEST_CASE("a histogram's held range grows both ways without changing what it reports", "[histogram]") {
  std::mt19937_64 rng(7);
  Histogram all, chunks_merged;
  std::vector<Histogram> chunks(4);
  // Values from 10 ns to ~4 s, fed in an order that first widens the range upward, then downward.
  const std::int64_t spans[4] = {1'000'000, 4'000'000'000, 10'000, 100};
  for (int c = 0; c < 4; ++c) {
    for (int i = 0; i < 20'000; ++i) {
      const std::int64_t v = 10 + std::int64_t(rng() % std::uint64_t(spans[c]));
      all.add(v);
      chunks[std::size_t(c)].add(v);
    }
  }
  for (const auto& h : chunks) chunks_merged.merge(h);
  require_same(all, chunks_merged);
  CHECK(all.percentile(100) == all.max());
  CHECK(all.percentile(1) >= 10);

  // Cleared and reused (as a timeline interval is): only the new values count.
  Histogram reused = all, fresh;
  reused.clear();
  CHECK(reused.count() == 0);
  CHECK(reused.percentile(50) == 0);
  for (std::int64_t v : {50'000, 70'000, 90'000, 5, 12'345'678}) {
    reused.add(v);
    fresh.add(v);
  }
  require_same(reused, fresh);
}

TEST_CASE("values beyond the histogram's range land in its last bucket; max stays exact", "[histogram]") {
  Histogram h(5, 20);  // up to 2^20 ns
  h.add(1'000);
  h.add(std::int64_t(1) << 40);
  CHECK(h.count() == 2);
  CHECK(h.max() == std::int64_t(1) << 40);
  CHECK(h.percentile(100) >= std::int64_t(1) << 19);  // the last bucket's value
  CHECK(h.percentile(100) < std::int64_t(1) << 21);
  CHECK(h.percentile(50) <= 1'000 * 105 / 100);
  CHECK(h.percentile(50) >= 1'000 * 95 / 100);
}
