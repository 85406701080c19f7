#include "sim/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace mpsim::sim {

Histogram::Histogram(int bits, int max_log2)
    : bits_(bits), buckets_((std::size_t(1) << bits) + std::size_t(max_log2 - bits + 1) * ((std::size_t(1) << bits) / 2)) {}

// Widens the held range to bucket i, a quarter octave beyond it, so a range that creeps grows
// rarely; a whole octave each side was half of a job's histogram at 1,024 hosts (issue 18).
void Histogram::cover(std::size_t i) {
  const std::size_t slack = std::max<std::size_t>(1, (std::size_t(1) << bits_) / 8);
  if (counts_.empty()) {
    base_ = i >= slack ? i - slack : 0;
    counts_.assign(std::min(i + slack + 1, buckets_) - base_, 0);
    return;
  }
  const std::size_t lo = i < base_ ? (i >= slack ? i - slack : 0) : base_;
  const std::size_t hi = std::max(base_ + counts_.size(), i >= base_ ? std::min(i + slack + 1, buckets_) : 0);
  std::vector<std::uint64_t> wider(hi - lo, 0);
  std::copy(counts_.begin(), counts_.end(), wider.begin() + std::ptrdiff_t(base_ - lo));
  counts_ = std::move(wider);
  base_ = lo;
}

// The middle of bucket i (exact below 2^bits).
std::int64_t Histogram::value_at(std::size_t i) const {
  const std::size_t exact = std::size_t(1) << bits_;
  if (i < exact) return std::int64_t(i);
  const std::size_t octave = (i - exact) / (exact / 2);
  const std::size_t sub = (i - exact) % (exact / 2);
  const int shift = int(octave) + 1;
  const std::uint64_t low = (std::uint64_t(exact / 2 + sub)) << shift;
  return std::int64_t(low + (std::uint64_t(1) << shift) / 2);
}

// Only buckets between min and max can be non-zero: a timeline closes thousands of mostly
// narrow histograms every interval, so zeroing (and scanning, below) just that range matters.
void Histogram::clear() {
  if (count_ > 0) {
    std::fill(counts_.begin() + std::ptrdiff_t(index(min_) - base_), counts_.begin() + std::ptrdiff_t(index(max_) - base_) + 1, 0);
  }
  count_ = 0;
  min_ = max_ = 0;
  sum_ = sum_sq_ = 0;
}

double Histogram::stddev() const {
  if (count_ < 2) return 0;
  const double m = mean();
  const double var = sum_sq_ / double(count_) - m * m;
  return var > 0 ? std::sqrt(var) : 0;
}

std::int64_t Histogram::percentile(double p) const {
  if (count_ == 0) return 0;
  const auto rank = std::max<std::uint64_t>(1, std::uint64_t(std::ceil(p / 100.0 * double(count_))));
  std::uint64_t seen = 0;
  for (std::size_t i = index(min_); i <= index(max_); ++i) {
    seen += held(i);
    if (seen >= rank) return std::clamp(value_at(i), min_, max_);
  }
  return max_;
}

void Histogram::merge(const Histogram& o) {
  if (o.count_ == 0) return;
  bucket(o.base_);
  bucket(o.base_ + o.counts_.size() - 1);
  for (std::size_t k = 0; k < o.counts_.size(); ++k) counts_[o.base_ + k - base_] += o.counts_[k];
  min_ = count_ ? std::min(min_, o.min_) : o.min_;
  max_ = count_ ? std::max(max_, o.max_) : o.max_;
  count_ += o.count_;
  sum_ += o.sum_;
  sum_sq_ += o.sum_sq_;
}

const std::vector<double>& fio_percentiles() {
  static const std::vector<double> list{1,  5,  10, 20, 30,   40,   50,    60,    70,
                                        80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99};
  return list;
}

LatencyStats Histogram::stats() const {
  LatencyStats s;
  s.count = count_;
  s.min_ns = min();
  s.max_ns = max();
  s.mean_ns = mean();
  s.stddev_ns = stddev();
  for (double p : fio_percentiles()) s.percentiles.emplace_back(p, percentile(p));
  if (count_ == 0) return s;
  for (std::size_t i = index(min_); i <= index(max_); ++i) {
    if (held(i) == 0) continue;
    const std::size_t exact = std::size_t(1) << bits_;
    const std::int64_t width = i < exact ? 1 : std::int64_t(1) << ((i - exact) / (exact / 2) + 1);
    s.buckets.emplace_back(value_at(i) - width / 2, held(i));  // value_at is the middle
  }
  return s;
}

}  // namespace mpsim::sim
