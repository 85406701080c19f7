// NVMe/TCP PDUs as pure functions over byte spans: checking and parsing what a host sends,
// building what the target sends. Nothing here keeps state or touches a socket, so the same
// functions serve the emulator, the tests' host client and the fuzz target.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "sim/live/nvme_wire.h"

namespace mpsim::live {

struct PduHeader {
  std::uint8_t type = 0, flags = 0, hlen = 0, pdo = 0;
  std::uint32_t plen = 0;
};
PduHeader parse_header(ByteSpan first8);  // needs 8 bytes

// What a target accepts from a host: the PDU type allowed at this point (ICReq first, then
// capsules, H2C data and H2C termination), its fixed header length, a data offset inside the
// PDU, no digest flags (digests are refused at ICReq) and plen <= max_plen. The reason, or nullopt.
std::optional<std::string> check_host_header(const PduHeader& h, bool ic_done, std::uint32_t max_plen);

struct IcReq {
  std::uint16_t pfv = 0;
  std::uint8_t hpda = 0, digest = 0;
  std::uint32_t maxr2t = 0;
};
IcReq parse_icreq(ByteSpan pdu);  // a checked ICReq PDU (128 bytes)

struct Capsule {
  Sqe sqe;
  ByteSpan data;  // in-capsule data (empty if none); a view into the PDU
};
// A checked CapsuleCmd PDU; the reason when its SGL and its in-capsule data disagree.
std::variant<Capsule, std::string> parse_capsule(ByteSpan pdu);

struct DataPdu {
  std::uint16_t cid = 0, ttag = 0;
  std::uint32_t offset = 0, length = 0;
  bool last = false;
  ByteSpan data;
};
// A checked H2CData PDU; the reason when its length fields and its size disagree.
std::variant<DataPdu, std::string> parse_h2c_data(ByteSpan pdu);

// Target-to-host PDUs, appended to `out`.
void append_icresp(Bytes& out, std::uint32_t maxh2cdata);
void append_capsule_resp(Bytes& out, const Cqe& cqe);
void append_c2h_data(Bytes& out, std::uint16_t cid, std::uint32_t offset, ByteSpan data, bool last);
void append_r2t(Bytes& out, std::uint16_t cid, std::uint16_t ttag, std::uint32_t offset, std::uint32_t length);
// C2HTermReq with a fatal error status (NVMe/TCP FES: 1 invalid header field, 2 PDU sequence
// error, 4 data transfer out of range, 5 data transfer limit exceeded).
void append_c2h_term(Bytes& out, std::uint16_t fes, std::uint32_t fei);

// The host side's builders, for tests and tools that play a host.
void append_icreq(Bytes& out);
void append_capsule_cmd(Bytes& out, const Sqe& sqe, ByteSpan in_capsule_data);
void append_h2c_data(Bytes& out, std::uint16_t cid, std::uint16_t ttag, std::uint32_t offset, ByteSpan data, bool last);
Cqe parse_cqe(ByteSpan resp_pdu);  // a CapsuleResp PDU (24 bytes)

}  // namespace mpsim::live
