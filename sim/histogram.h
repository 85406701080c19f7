// Latency histogram with bounded relative error (HdrHistogram-like): values below 2^bits are
// exact; above, each power of two is split into 2^(bits-1) buckets, so the error is
// < 2^-(bits-1) (bits = 8: < 0.8%). Percentiles are clamped to [min, max].
// Memory follows what is recorded: only the buckets between the smallest and the largest value
// seen (plus a quarter octave of slack each side) are held, none before the first value — a job
// that never writes holds no write buckets, and a µs..ms latency range is a few KiB at bits = 8,
// not the 37 KiB of the whole 0..2^42 ns range (issue 18: peak RSS at 1,024 hosts).
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <utility>
#include <vector>

#include "sim/result.h"

namespace mpsim::sim {

class Histogram {
 public:
  explicit Histogram(int bits = 8, int max_log2 = 42);

  // Inline: the timeline and the jobs add three or four values per I/O.
  void add(std::int64_t v) {
    ++bucket(index(v));
    if (count_ == 0 || v < min_) min_ = v;
    if (count_ == 0 || v > max_) max_ = v;
    ++count_;
    sum_ += double(v);
    sum_sq_ += double(v) * double(v);
  }
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
  std::size_t index(std::int64_t v) const {
    const auto u = static_cast<std::uint64_t>(std::max<std::int64_t>(v, 0));
    const std::uint64_t exact = std::uint64_t(1) << bits_;
    if (u < exact) return std::size_t(u);
    const int msb = 63 - std::countl_zero(u);
    const int shift = msb - (bits_ - 1);
    const std::uint64_t sub = (u >> shift) - (exact / 2);  // 0 .. exact/2 - 1
    const std::size_t i = std::size_t(exact + std::uint64_t(msb - bits_) * (exact / 2) + sub);
    return std::min(i, buckets_ - 1);
  }
  std::int64_t value_at(std::size_t i) const;
  std::uint64_t& bucket(std::size_t i) {  // grows the held range to cover bucket i
    if (i - base_ >= counts_.size()) cover(i);
    return counts_[i - base_];
  }
  std::uint64_t held(std::size_t i) const { return i - base_ < counts_.size() ? counts_[i - base_] : 0; }
  void cover(std::size_t i);

  int bits_;
  std::size_t buckets_;                // the whole range's bucket count; index() clamps to it
  std::size_t base_ = 0;               // counts_[k] is bucket base_ + k
  std::vector<std::uint64_t> counts_;  // the held range: empty until the first value
  std::uint64_t count_ = 0;
  std::int64_t min_ = 0, max_ = 0;
  double sum_ = 0, sum_sq_ = 0;
};

// fio's default percentile_list.
const std::vector<double>& fio_percentiles();

}  // namespace mpsim::sim
