#include "models/transport.h"

#include <cmath>

namespace mpsim::models {

std::uint64_t TransportModel::on_wire(std::uint64_t pdu_bytes) const {
  const std::uint64_t mss = p_.tcp_mss_bytes ? p_.tcp_mss_bytes : 1;
  const std::uint64_t segments = (pdu_bytes + mss - 1) / mss;
  return pdu_bytes + segments * p_.mtu_overhead_bytes;
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

std::int64_t cpu_cost_ns(const CpuParams& c, std::uint32_t bytes, bool read) {
  const double us = c.per_io_us + c.per_kib_us * (double(bytes) / 1024.0) + (read ? 0.0 : c.write_extra_us);
  return std::llround(us * 1000.0);
}

}  // namespace mpsim::models
