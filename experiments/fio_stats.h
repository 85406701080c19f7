// fio's statistics made from what the simulator measured, computed the way fio 3.33 computes
// them (stat.c, io_u.c), so fio.json reads like `fio --output-format=json+`:
//   - the json+ latency bins (stat.c plat_val_to_idx / plat_idx_to_val, FIO_IO_U_PLAT_BITS 6);
//   - the latency_ns / latency_us / latency_ms shares (io_u.c io_u_mark_latency, stat_calc_lat);
//   - the iops/bw sample statistics (stat.c __add_samples every iops_avg_time, add_stat_sample);
//   - the errno fio reports for a job stopped by a failed I/O.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/result.h"

namespace mpsim::experiments::fio {

// fio's latency histogram geometry (stat.h).
inline constexpr int kPlatBits = 6;
inline constexpr std::uint32_t kPlatVal = 1u << kPlatBits;
inline constexpr std::uint32_t kPlatGroups = 29;
inline constexpr std::uint32_t kPlatBuckets = kPlatGroups * kPlatVal;

std::uint32_t plat_index(std::uint64_t ns);     // plat_val_to_idx
std::uint64_t plat_value(std::uint32_t index);  // plat_idx_to_val: the bucket's middle, as json+ names it

// (bin value in ns, I/Os) for every non-empty fio bin, in value order. Each of the simulator's
// buckets lies inside one fio bin (its buckets are at least as fine: sim/histogram.h), so a
// bucket goes whole to the bin of its lowest value and the counts are exact.
std::vector<std::pair<std::uint64_t, std::uint64_t>> plat_bins(const sim::LatencyStats& s);

// Percent of I/Os per latency range, with fio's rule that a non-empty range shows at least 0.01.
// A bucket of the simulator's histogram counts in the range of its lowest value: where a range
// limit falls inside a bucket (< 1/128 of the value wide) its I/Os may land one range lower.
struct LatencyShares {
  std::array<double, 10> ns{};  // 2 4 10 20 50 100 250 500 750 1000 (ns)
  std::array<double, 10> us{};  // same in us
  std::array<double, 12> ms{};  // 2 4 10 20 50 100 250 500 750 1000 2000 >=2000 (ms)
};
LatencyShares latency_shares(const std::vector<const sim::LatencyStats*>& directions);

// Percent per depth bucket, fio's stat_calc_dist (a non-empty bucket shows at least 0.1).
std::array<double, 7> depth_shares(const std::array<std::uint64_t, 7>& counts);

// fio's io_stat over its samples: min, max, mean and the sample standard deviation.
struct SampleStats {
  std::uint64_t min = 0, max = 0, samples = 0;
  double mean = 0, stddev = 0;
};

// The rate samples fio takes every `avg_ms` of the measured window (only full intervals, and
// none for an interval without I/O, as __add_samples): IOPS, or KiB/s for bandwidth.
// `window_ms` is the width of sim::DirectionStats::windows; avg_ms must be a multiple of it.
std::vector<std::uint64_t> rate_samples(const sim::DirectionStats& d, std::uint64_t window_ms, std::uint64_t avg_ms,
                                        std::uint64_t measured_ms, bool bandwidth);
SampleStats sample_stats(const std::vector<std::uint64_t>& samples);

// fio's td->error for a job that a failed I/O stopped: the errno the kernel gives the bio
// (drivers/nvme/host/core.c nvme_error_status, block/blk-core.c blk_errors); 0 = no error.
int job_errno(const sim::JobResult& job);

}  // namespace mpsim::experiments::fio
