#include "sim/spdk_qos.h"

#include <algorithm>

namespace mpsim::sim {
namespace {

constexpr std::int64_t kMinIoPerSlice = 1;     // SPDK_BDEV_QOS_MIN_IO_PER_TIMESLICE
constexpr std::int64_t kMinBytePerSlice = 512; // SPDK_BDEV_QOS_MIN_BYTE_PER_TIMESLICE

std::int64_t per_slice(std::uint64_t per_sec, std::int64_t minimum) {
  if (per_sec == 0) return 0;
  const auto quota = std::int64_t(per_sec * std::uint64_t(SpdkQos::kTimesliceNs / 1000) / 1'000'000);
  return std::max(quota, minimum);
}

// bdev_qos_limit_set: an IOPS limit that is not a multiple of SPDK_BDEV_QOS_MIN_IOS_PER_SEC
// (1000) is rounded up to one, with an error in SPDK's log.
std::uint64_t spdk_rounded_iops(std::uint64_t iops) { return (iops + 999) / 1000 * 1000; }

}  // namespace

SpdkQos::SpdkQos(const SpdkQosLimits& l) {
  buckets_[0].max_per_slice = per_slice(spdk_rounded_iops(l.rw_ios_per_sec), kMinIoPerSlice);
  buckets_[1].max_per_slice = per_slice(l.rw_bytes_per_sec, kMinBytePerSlice);
  buckets_[2].max_per_slice = per_slice(l.r_bytes_per_sec, kMinBytePerSlice);
  buckets_[3].max_per_slice = per_slice(l.w_bytes_per_sec, kMinBytePerSlice);
  for (Bucket& b : buckets_) b.remaining = b.max_per_slice;
}

bool SpdkQos::applies(int i, bool read) const {
  if (buckets_[i].max_per_slice == 0) return false;
  return i < 2 || (i == 2) == read;
}

// n timeslices later: each drops what was left and adds its quota, so a deficit is paid off
// slice by slice and a surplus never exceeds one slice's quota.
void SpdkQos::advance_to_slice(std::int64_t slice) {
  const std::int64_t n = slice - slice_;
  if (n <= 0) return;
  for (Bucket& b : buckets_) {
    if (b.max_per_slice == 0) continue;
    const std::int64_t owed = std::min<std::int64_t>(b.remaining, 0);
    const std::int64_t to_full = (b.max_per_slice - owed + b.max_per_slice - 1) / b.max_per_slice;  // slices, >= 1
    b.remaining = n >= to_full ? b.max_per_slice : owed + n * b.max_per_slice;
  }
  slice_ = slice;
}

std::int64_t SpdkQos::admit(std::int64_t t, bool read, std::uint32_t bytes) {
  std::int64_t at = std::max(t, queue_tail_);  // behind every I/O still queued
  advance_to_slice(at / kTimesliceNs);
  // Timeslices until every bucket that applies has quota again.
  std::int64_t wait_slices = 0;
  for (int i = 0; i < 4; ++i) {
    if (!applies(i, read) || buckets_[i].remaining > 0) continue;
    wait_slices = std::max(wait_slices, -buckets_[i].remaining / buckets_[i].max_per_slice + 1);
  }
  if (wait_slices > 0) {
    advance_to_slice(slice_ + wait_slices);
    at = slice_ * kTimesliceNs;
  }
  if (buckets_[0].max_per_slice) buckets_[0].remaining -= 1;
  if (buckets_[1].max_per_slice) buckets_[1].remaining -= bytes;
  if (applies(2, read)) buckets_[2].remaining -= bytes;
  if (applies(3, read)) buckets_[3].remaining -= bytes;
  queue_tail_ = at;
  return at;
}

}  // namespace mpsim::sim
