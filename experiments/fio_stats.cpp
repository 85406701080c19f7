#include "experiments/fio_stats.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>

namespace mpsim::experiments::fio {

std::uint32_t plat_index(std::uint64_t ns) {
  const int msb = ns == 0 ? 0 : 63 - std::countl_zero(ns);
  if (msb <= kPlatBits) return std::uint32_t(ns);  // small values are their own bucket
  const int error_bits = msb - kPlatBits;
  const std::uint64_t base = std::uint64_t(error_bits + 1) << kPlatBits;
  const std::uint64_t offset = (kPlatVal - 1) & (ns >> error_bits);
  return std::uint32_t(std::min<std::uint64_t>(base + offset, kPlatBuckets - 1));
}

std::uint64_t plat_value(std::uint32_t index) {
  if (index < (kPlatVal << 1)) return index;
  const std::uint32_t error_bits = (index >> kPlatBits) - 1;
  const std::uint64_t base = std::uint64_t(1) << (error_bits + kPlatBits);
  const std::uint64_t k = index % kPlatVal;
  return base + std::uint64_t((double(k) + 0.5) * double(std::uint64_t(1) << error_bits));
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> plat_bins(const sim::LatencyStats& s) {
  std::map<std::uint32_t, std::uint64_t> by_index;
  for (const auto& [low, count] : s.buckets) by_index[plat_index(std::uint64_t(std::max<std::int64_t>(low, 0)))] += count;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> bins;
  for (const auto& [index, count] : by_index) bins.emplace_back(plat_value(index), count);
  return bins;
}

namespace {

// io_u.c io_u_mark_lat_*: the range index of a value already in the range's unit.
std::size_t range_index(std::uint64_t v, bool milliseconds) {
  static constexpr std::uint64_t upper[] = {2, 4, 10, 20, 50, 100, 250, 500, 750, 1000, 2000};
  std::size_t i = 0;
  const std::size_t last = milliseconds ? 11 : 9;
  while (i < last && v >= upper[i]) ++i;
  return i;
}

template <std::size_t N>
void to_percent(std::array<double, N>& out, const std::array<std::uint64_t, N>& counts, std::uint64_t total, double floor) {
  for (std::size_t i = 0; i < N; ++i) {
    out[i] = total ? 100.0 * double(counts[i]) / double(total) : 0.0;
    if (counts[i] && out[i] < floor) out[i] = floor;
  }
}

}  // namespace

LatencyShares latency_shares(const std::vector<const sim::LatencyStats*>& directions) {
  std::array<std::uint64_t, 10> ns{}, us{};
  std::array<std::uint64_t, 12> ms{};
  std::uint64_t total = 0;
  for (const sim::LatencyStats* s : directions) {
    for (const auto& [low, count] : s->buckets) {
      const auto v = std::uint64_t(std::max<std::int64_t>(low, 0));
      if (v < 1000) ns[range_index(v, false)] += count;
      else if (v < 1000000) us[range_index(v / 1000, false)] += count;
      else ms[range_index(v / 1000000, true)] += count;
      total += count;
    }
  }
  LatencyShares out;
  to_percent(out.ns, ns, total, 0.01);
  to_percent(out.us, us, total, 0.01);
  to_percent(out.ms, ms, total, 0.01);
  return out;
}

std::array<double, 7> depth_shares(const std::array<std::uint64_t, 7>& counts) {
  std::uint64_t total = 0;
  for (auto c : counts) total += c;
  std::array<double, 7> out{};
  to_percent(out, counts, total, 0.1);
  return out;
}

std::vector<std::uint64_t> rate_samples(const sim::DirectionStats& d, std::uint64_t window_ms, std::uint64_t avg_ms,
                                        std::uint64_t measured_ms, bool bandwidth) {
  std::vector<std::uint64_t> samples;
  if (window_ms == 0 || avg_ms == 0 || avg_ms % window_ms != 0) return samples;
  const std::uint64_t per = avg_ms / window_ms;
  for (std::uint64_t start = 0; (start + per) * window_ms <= measured_ms; start += per) {
    std::uint64_t delta = 0;
    for (std::uint64_t w = start; w < start + per && w < d.windows.size(); ++w) {
      delta += bandwidth ? d.windows[w].bytes : d.windows[w].ios;
    }
    if (delta == 0) continue;  // fio takes no sample for an interval without I/O
    samples.push_back(bandwidth ? delta * 1000 / avg_ms / 1024 : delta * 1000 / avg_ms);
  }
  return samples;
}

SampleStats sample_stats(const std::vector<std::uint64_t>& samples) {
  SampleStats s;
  double mean = 0, sum_sq = 0;  // Welford, as fio's add_stat_sample
  for (std::uint64_t v : samples) {
    s.min = s.samples == 0 ? v : std::min(s.min, v);
    s.max = std::max(s.max, v);
    const double delta = double(v) - mean;
    mean += delta / double(s.samples + 1);
    sum_sq += delta * (double(v) - mean);
    ++s.samples;
  }
  s.mean = mean;
  s.stddev = s.samples > 1 ? std::sqrt(sum_sq / double(s.samples - 1)) : 0.0;
  return s;
}

int job_errno(const sim::JobResult& job) {
  if (!job.stopped_by_error) return 0;
  constexpr int kEio = 5, kEnodata = 61, kEnolink = 67, kEopnotsupp = 95, kEremoteio = 121;
  if (job.error_reason != "error-status") return kEio;  // the head fails the bio itself: bio_io_error
  switch (job.error_status & 0x7ff) {
    case 0x002: return kEopnotsupp;  // invalid field: BLK_STS_NOTSUPP
    case 0x082: return kEremoteio;   // namespace not ready: BLK_STS_TARGET
    case 0x280:                      // write fault
    case 0x281: return kEnodata;     // unrecovered read error: BLK_STS_MEDIUM
    case 0x370: return kEnolink;     // host path error: BLK_STS_TRANSPORT
    default: return kEio;            // BLK_STS_IOERR
  }
}

}  // namespace mpsim::experiments::fio
