// cgroup v2 io.max as Linux's blk-throttle does it (block/blk-throttle.c, 6.12), per throttle
// group (a cgroup on one block device: here a multipath head) and direction, in jiffies:
// - a slice of throtl_slice = HZ/10 jiffies starts with the first bio when the last one has
//   expired and nothing is queued (throtl_start_new_slice); otherwise it is extended;
// - a bio may go when io_disp + 1 <= iops x elapsed and bytes_disp + size <= bps x elapsed,
//   elapsed rounded up to whole slices (tg_within_iops_limit / tg_within_bps_limit); else it
//   waits the jiffies those functions compute, queued FIFO behind earlier bios;
// - after each dispatch the slice is trimmed: whole slices already past are cut from its start
//   and their allowance from the dispatched counts (throtl_trim_slice), so unused budget from
//   a past slice carries over only while the slice lasts.
// The group only cares about its own bios' times, so a bio's dispatch time is known when it
// arrives (the kernel's timer would fire at that jiffy); no event is needed until then.
#pragma once

#include <array>
#include <cstdint>

namespace mpsim::sim {

class BlkThrottle {
 public:
  // Limits of one group; 0 = max (unlimited). `hz` is the host's CONFIG_HZ.
  BlkThrottle(std::uint64_t riops, std::uint64_t wiops, std::uint64_t rbps, std::uint64_t wbps, std::uint32_t hz);

  // A bio of `bytes` submitted at `t` ns: when it is dispatched to the device below.
  std::int64_t dispatch(std::int64_t t, bool read, std::uint32_t bytes);

 private:
  struct Direction {
    std::uint64_t iops = 0, bps = 0;       // 0 = max
    std::int64_t slice_start = 0, slice_end = -1;
    std::uint64_t io_disp = 0, bytes_disp = 0;
    std::int64_t queue_tail_ns = -1;       // dispatch time of the last bio (FIFO)
  };
  std::int64_t jiffies(std::int64_t ns) const { return ns * hz_ / 1'000'000'000; }
  std::int64_t jiffy_ns(std::int64_t j) const { return (j * 1'000'000'000 + hz_ - 1) / hz_; }
  std::int64_t wait(Direction& d, std::int64_t now, bool queued, std::uint32_t bytes) const;
  void extend(Direction& d, std::int64_t end) const;
  void trim(Direction& d, std::int64_t now) const;

  std::int64_t hz_, slice_;
  std::array<Direction, 2> dir_;  // [0] write, [1] read
};

}  // namespace mpsim::sim
