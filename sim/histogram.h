// Latency histogram with fixed memory and bounded relative error (HdrHistogram-like):
// values below 2^bits are exact; above, each power of two is split into 2^(bits-1) buckets,
// so the error is < 2^-(bits-1) (bits = 8: < 0.8%). Percentiles are clamped to [min, max].
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "sim/result.h"

namespace mpsim::sim {

class Histogram {
 public:
  explicit Histogram(int bits = 8, int max_log2 = 42);

  void add(std::int64_t v);
  void clear();
  std::uint64_t count() const { return count_; }
  std::int64_t min() const { return count_ ? min_ : 0; }
  std::int64_t max() const { return max_; }
  double mean() const { return count_ ? sum_ / double(count_) : 0; }
  double stddev() const;
  // p in (0, 100]: the smallest recorded value with at least p% of samples at or below it.
  std::int64_t percentile(double p) const;
  void merge(const Histogram& o);
  // fio's shape, with fio's default percentile list and the non-empty buckets.
  LatencyStats stats() const;

 private:
  std::size_t index(std::int64_t v) const;
  std::int64_t value_at(std::size_t i) const;

  int bits_;
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::int64_t min_ = 0, max_ = 0;
  double sum_ = 0, sum_sq_ = 0;
};

// fio's default percentile_list.
const std::vector<double>& fio_percentiles();

}  // namespace mpsim::sim
