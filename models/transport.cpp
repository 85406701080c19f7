#include "models/transport.h"

#include <algorithm>
#include <cmath>

namespace mpsim::models {

std::uint64_t TransportModel::on_wire(std::uint64_t pdu_bytes) const {
  const std::uint64_t mss = p_.tcp_mss_bytes ? p_.tcp_mss_bytes : 1;
  const std::uint64_t segments = (pdu_bytes + mss - 1) / mss;
  return pdu_bytes + segments * p_.mtu_overhead_bytes;
}

std::uint32_t TransportModel::segments(std::uint64_t wire_bytes) const {
  const std::uint64_t full = std::uint64_t(p_.tcp_mss_bytes ? p_.tcp_mss_bytes : 1) + p_.mtu_overhead_bytes;
  return std::uint32_t(std::max<std::uint64_t>(1, (wire_bytes + full - 1) / full));
}

std::uint64_t TransportModel::admin_response_bytes(std::uint64_t payload) const {
  if (payload == 0) return on_wire(p_.response_bytes);
  return on_wire(p_.data_pdu_header_bytes + payload + p_.response_bytes);
}

WireCost TransportModel::io_cost(bool read, std::uint32_t bytes) const {
  WireCost w;
  if (read) {
    w.command_bytes = on_wire(p_.pdu_header_bytes);
    w.response_bytes = on_wire(std::uint64_t(p_.data_pdu_header_bytes) + bytes + p_.response_bytes);
    return w;
  }
  w.response_bytes = on_wire(p_.response_bytes);
  if (bytes <= p_.inline_data_size) {
    w.command_bytes = on_wire(std::uint64_t(p_.pdu_header_bytes) + bytes);
    return w;
  }
  w.command_bytes = on_wire(p_.pdu_header_bytes);
  w.r2t_bytes = on_wire(p_.r2t_bytes);
  w.h2c_bytes = on_wire(std::uint64_t(p_.data_pdu_header_bytes) + bytes);
  return w;
}

std::int64_t tcp_give_up_ns(const TcpParams& p, std::uint32_t boundary) {
  // linear_backoff_thresh = ilog2(rto_max / rto_base): doublings before the ceiling.
  std::uint32_t thresh = 0;
  while ((p.rto_min_ns << (thresh + 1)) <= p.rto_max_ns) ++thresh;
  if (boundary <= thresh) return ((std::int64_t(2) << boundary) - 1) * p.rto_min_ns;
  return ((std::int64_t(2) << thresh) - 1) * p.rto_min_ns + std::int64_t(boundary - thresh) * p.rto_max_ns;
}

// Van Jacobson's estimator in Linux's fixed point (tcp_rtt_estimator): srtt += (m - srtt)/8;
// mdev += (|err| - mdev)/4, a falling RTT weighing only 1/8 of that; mdev_max collects the
// largest mdev of an RTT and rttvar follows it, up at once, down by a quarter per RTT, never
// below rto_min.
void RttEstimator::sample(std::int64_t m, std::int64_t now, const TcpParams& p) {
  if (m <= 0) m = 1;
  const std::int64_t floor4 = p.rto_min_ns;  // tcp_rto_min_us, compared with mdev in Linux's own scale
  if (srtt8_ == 0) {
    srtt8_ = m << 3;
    mdev4_ = m << 1;
    rttvar4_ = mdev_max4_ = std::max(mdev4_, floor4);
    window_end_ = now + m;
    return;
  }
  m -= srtt8_ >> 3;
  srtt8_ += m;
  if (m < 0) {
    m = -m - (mdev4_ >> 2);
    if (m > 0) m >>= 3;
  } else {
    m -= mdev4_ >> 2;
  }
  mdev4_ += m;
  if (mdev4_ > mdev_max4_) {
    mdev_max4_ = mdev4_;
    if (mdev_max4_ > rttvar4_) rttvar4_ = mdev_max4_;
  }
  if (now >= window_end_) {
    if (mdev_max4_ < rttvar4_) rttvar4_ -= (rttvar4_ - mdev_max4_) >> 2;
    window_end_ = now + (srtt8_ >> 3);
    mdev_max4_ = floor4;
  }
  if (srtt8_ < 1) srtt8_ = 1;
}

std::int64_t RttEstimator::rto_ns(const TcpParams& p) const {
  if (srtt8_ == 0) return 1'000'000'000;  // TCP_TIMEOUT_INIT
  return std::min((srtt8_ >> 3) + rttvar4_, p.rto_max_ns);  // __tcp_set_rto, tcp_bound_rto
}

std::int64_t cpu_cost_ns(const CpuParams& c, std::uint32_t bytes, bool read) {
  const double us = c.per_io_us + c.per_kib_us * (double(bytes) / 1024.0) + (read ? 0.0 : c.write_extra_us);
  return std::llround(us * 1000.0);
}

}  // namespace mpsim::models
