// NVMe/TCP bytes on the wire for each message of an I/O, including the per-segment
// Ethernet/IP/TCP overhead, so the engine can charge serialisation per hop.
#pragma once

#include <cstdint>

#include "models/model_set.h"

namespace mpsim::models {

// How a write's data travels: in the command capsule (<= inline_data_size) or after an R2T.
struct WireCost {
  std::uint64_t command_bytes = 0;   // host -> target: capsule (+ in-capsule data)
  std::uint64_t r2t_bytes = 0;       // target -> host, 0 if no R2T round trip
  std::uint64_t h2c_bytes = 0;       // host -> target data after an R2T
  std::uint64_t response_bytes = 0;  // target -> host: C2H data (reads) + response capsule
};

// Linux TCP's retransmission timer, with the kernel's defaults (include/net/tcp.h,
// net/ipv4/tcp_timer.c): the RTO floor tcp_rto_min (TCP_RTO_MIN, 200 ms), its ceiling
// TCP_RTO_MAX (120 s), and tcp_retries2 (15), which Linux turns into a time bound.
struct TcpParams {
  std::int64_t rto_min_ns = 200'000'000;
  std::int64_t rto_max_ns = 120'000'000'000;
  std::uint32_t retries2 = 15;
  // RACK's reordering window is min_rtt / 4 (tcp_recovery.c tcp_rack_reo_wnd).
  std::uint32_t reo_wnd_shift = 2;
};

class TransportModel {
 public:
  explicit TransportModel(const TransportParams& p) : p_(p) {}

  WireCost io_cost(bool read, std::uint32_t bytes) const;
  // A small admin message (keep-alive, ANA log read, AEN, connect step), each way.
  std::uint64_t admin_bytes() const { return on_wire(p_.pdu_header_bytes); }
  std::uint64_t admin_response_bytes(std::uint64_t payload) const;

  // Payload bytes of a PDU train -> bytes on the wire with per-segment headers.
  std::uint64_t on_wire(std::uint64_t pdu_bytes) const;
  const TransportParams& params() const { return p_; }
  const TcpParams& tcp() const { return tcp_; }
  // Segments of a PDU train of `wire_bytes` on the wire (each carries one MSS and its headers).
  std::uint32_t segments(std::uint64_t wire_bytes) const;

 private:
  TransportParams p_;
  TcpParams tcp_;
};

// tcp_model_timeout (tcp_timer.c): how long after its first transmission a segment that is
// never acknowledged is given up, for `boundary` retries from an RTO of `rto_base`: doubling
// up to rto_max, then rto_max each. 924.6 s for 15 retries from 200 ms.
std::int64_t tcp_give_up_ns(const TcpParams& p, std::uint32_t boundary);

// The sender's smoothed RTT and its RTO, as tcp_rtt_estimator and tcp_set_rto
// (tcp_input.c) keep them: srtt in 1/8, mdev in 1/4 of a sample's unit (ns here), and rttvar
// the largest mdev of the last RTT but never below rto_min, so RTO = srtt + rttvar >= 200 ms.
class RttEstimator {
 public:
  void sample(std::int64_t rtt_ns, std::int64_t now, const TcpParams& p);
  // RTO before backoff; Linux's TCP_TIMEOUT_INIT (1 s) until the first sample.
  std::int64_t rto_ns(const TcpParams& p) const;
  std::int64_t srtt_ns() const { return srtt8_ >> 3; }

 private:
  std::int64_t srtt8_ = 0, mdev4_ = 0, mdev_max4_ = 0, rttvar4_ = 0;
  std::int64_t window_end_ = 0;  // Linux ends the rttvar window when rtt_seq is acked: here one srtt later
};

// CPU time (ns) of one I/O of `bytes` on one core.
std::int64_t cpu_cost_ns(const CpuParams& c, std::uint32_t bytes, bool read = true);

}  // namespace mpsim::models
