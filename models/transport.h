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

 private:
  TransportParams p_;
};

// CPU time (ns) of one I/O of `bytes` on one core.
std::int64_t cpu_cost_ns(const CpuParams& c, std::uint32_t bytes, bool read = true);

}  // namespace mpsim::models
