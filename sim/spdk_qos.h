// SPDK bdev QoS (lib/bdev/bdev.c) as a plain model in virtual nanoseconds: one token bucket per
// configured rate limit, refilled every SPDK_BDEV_QOS_TIMESLICE_IN_USEC (1000 us) by
// limit x timeslice, at least SPDK_BDEV_QOS_MIN_IO_PER_TIMESLICE (1) I/O or
// SPDK_BDEV_QOS_MIN_BYTE_PER_TIMESLICE (512) bytes (bdev_qos_update_max_quota_per_timeslice).
// An I/O goes through when every bucket that applies to it has quota left (> 0), and takes
// its whole size even if that drives a bucket negative (bdev_qos_rw_queue_io and the
// *_update_quota functions); otherwise it is queued, never failed, in arrival order, and the
// queue moves at the next timeslice. At a timeslice, leftover quota is dropped and a deficit
// kept (bdev_channel_poll_qos: remaining > 0 becomes 0, then + max_per_timeslice).
//
// The queue is FIFO and the refill depends only on time, so when a queued I/O leaves is known
// the moment it arrives: admit() returns it, and no event per timeslice is needed.
#pragma once

#include <array>
#include <cstdint>

#include "sim/qos_spec.h"

namespace mpsim::sim {

class SpdkQos {
 public:
  static constexpr std::int64_t kTimesliceNs = 1'000'000;  // SPDK_BDEV_QOS_TIMESLICE_IN_USEC

  explicit SpdkQos(const SpdkQosLimits& limits);

  // An I/O that reaches the QoS channel at `t`: when it is submitted to the bdev below.
  std::int64_t admit(std::int64_t t, bool read, std::uint32_t bytes);

  // Quota per timeslice of limit i (0 rw_ios, 1 rw_bytes, 2 r_bytes, 3 w_bytes); 0 = unlimited.
  std::int64_t max_per_timeslice(int i) const { return buckets_[i].max_per_slice; }

 private:
  struct Bucket {
    std::int64_t max_per_slice = 0;  // 0 = limit not defined
    std::int64_t remaining = 0;
  };
  bool applies(int i, bool read) const;
  void advance_to_slice(std::int64_t slice);

  std::array<Bucket, 4> buckets_;
  std::int64_t slice_ = 0;        // the timeslice `remaining` belongs to
  std::int64_t queue_tail_ = 0;   // when the last admitted I/O left the queue
};

}  // namespace mpsim::sim
