#include "sim/blk_throttle.h"

#include <algorithm>
#include <stdexcept>

namespace mpsim::sim {
namespace {

std::int64_t roundup(std::int64_t v, std::int64_t m) { return (v + m - 1) / m * m; }

// calculate_io_allowed / calculate_bytes_allowed: limit x jiffies / HZ.
std::uint64_t allowed(std::uint64_t per_sec, std::int64_t jiffies, std::int64_t hz) {
  return std::uint64_t((unsigned __int128)per_sec * std::uint64_t(jiffies) / std::uint64_t(hz));
}

}  // namespace

BlkThrottle::BlkThrottle(std::uint64_t riops, std::uint64_t wiops, std::uint64_t rbps, std::uint64_t wbps,
                         std::uint32_t hz)
    : hz_(hz), slice_(std::max<std::int64_t>(1, hz / 10)) {  // DFL_THROTL_SLICE
  if (hz == 0) throw std::invalid_argument("blk-throttle: HZ must be > 0");
  dir_[1].iops = riops;
  dir_[1].bps = rbps;
  dir_[0].iops = wiops;
  dir_[0].bps = wbps;
}

void BlkThrottle::extend(Direction& d, std::int64_t end) const { d.slice_end = roundup(end, slice_); }

// tg_may_dispatch's slice bookkeeping, then the larger of the two waits (0 = may go now).
std::int64_t BlkThrottle::wait(Direction& d, std::int64_t now, bool queued, std::uint32_t bytes) const {
  const bool used = !(now >= d.slice_start && now <= d.slice_end);
  if (used && !queued) {
    d.io_disp = d.bytes_disp = 0;
    d.slice_start = now;
    d.slice_end = now + slice_;
  } else if (d.slice_end < now + slice_) {
    extend(d, now + slice_);
  }
  const std::int64_t elapsed = now - d.slice_start;
  std::int64_t iops_wait = 0, bps_wait = 0;
  if (d.iops) {
    const std::int64_t rnd = roundup(elapsed + 1, slice_);
    const std::uint64_t ok = allowed(d.iops, rnd, hz_);
    if (!(ok > 0 && d.io_disp + 1 <= ok)) iops_wait = std::max<std::int64_t>(rnd - elapsed, hz_ / std::int64_t(d.iops) + 1);
  }
  if (d.bps) {
    const std::int64_t rnd = roundup(elapsed == 0 ? slice_ : elapsed, slice_);
    const std::uint64_t ok = allowed(d.bps, rnd, hz_);
    if (!(ok > 0 && d.bytes_disp + bytes <= ok)) {
      const std::uint64_t extra = d.bytes_disp + bytes - ok;
      const auto j = std::int64_t((unsigned __int128)extra * std::uint64_t(hz_) / d.bps);
      bps_wait = std::max<std::int64_t>(j, 1) + (rnd - elapsed);
    }
  }
  const std::int64_t w = std::max(iops_wait, bps_wait);
  if (w > 0 && d.slice_end < now + w) extend(d, now + w);
  return w;
}

void BlkThrottle::trim(Direction& d, std::int64_t now) const {
  if (!(now >= d.slice_start && now <= d.slice_end)) return;
  extend(d, now + slice_);
  const std::int64_t elapsed = (now - d.slice_start) / slice_ * slice_;
  if (elapsed == 0) return;
  const std::uint64_t bytes_trim = d.bps ? allowed(d.bps, elapsed, hz_) : UINT64_MAX;
  const std::uint64_t io_trim = d.iops ? allowed(d.iops, elapsed, hz_) : UINT64_MAX;
  if (bytes_trim == 0 && io_trim == 0) return;
  d.bytes_disp = d.bytes_disp >= bytes_trim ? d.bytes_disp - bytes_trim : 0;
  d.io_disp = d.io_disp >= io_trim ? d.io_disp - io_trim : 0;
  d.slice_start += elapsed;
}

std::int64_t BlkThrottle::dispatch(std::int64_t t, bool read, std::uint32_t bytes) {
  Direction& d = dir_[read];
  if (!d.iops && !d.bps) return t;
  bool queued = d.queue_tail_ns > t;  // bios ahead of it still wait: it queues behind them
  std::int64_t at = std::max(t, d.queue_tail_ns);
  for (;;) {
    const std::int64_t now = jiffies(at);
    const std::int64_t w = wait(d, now, queued, bytes);
    if (w == 0) break;
    at = jiffy_ns(now + w);  // the throttle timer fires then and tries again
    queued = true;
  }
  ++d.io_disp;
  d.bytes_disp += bytes;
  trim(d, jiffies(at));
  d.queue_tail_ns = at;
  return at;
}

}  // namespace mpsim::sim
