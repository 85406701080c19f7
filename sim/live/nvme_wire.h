// NVMe and NVMe/TCP on the wire: the constants and little-endian accessors the live engine
// needs. Values are from the NVMe Base 2.0, NVMe over Fabrics 1.1 and NVMe/TCP transport
// specifications (the Linux kernel's include/linux/nvme.h and nvme-tcp.h name the same values).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace mpsim::live {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;

inline std::uint16_t get16(ByteSpan b, std::size_t at) { return std::uint16_t(b[at] | b[at + 1] << 8); }
inline std::uint32_t get32(ByteSpan b, std::size_t at) {
  return std::uint32_t(b[at]) | std::uint32_t(b[at + 1]) << 8 | std::uint32_t(b[at + 2]) << 16 |
         std::uint32_t(b[at + 3]) << 24;
}
inline std::uint64_t get64(ByteSpan b, std::size_t at) { return get32(b, at) | std::uint64_t(get32(b, at + 4)) << 32; }
inline void put16(std::uint8_t* p, std::uint16_t v) { p[0] = std::uint8_t(v); p[1] = std::uint8_t(v >> 8); }
inline void put32(std::uint8_t* p, std::uint32_t v) { put16(p, std::uint16_t(v)); put16(p + 2, std::uint16_t(v >> 16)); }
inline void put64(std::uint8_t* p, std::uint64_t v) { put32(p, std::uint32_t(v)); put32(p + 4, std::uint32_t(v >> 32)); }
// Space-padded, not NUL-terminated (serial number, model, firmware revision).
inline void put_padded(std::uint8_t* p, std::size_t n, const char* s) {
  std::memset(p, ' ', n);
  std::memcpy(p, s, std::min(n, std::strlen(s)));
}

namespace tcp {
// PDU types (NVMe/TCP 1.0, section 3.6).
enum PduType : std::uint8_t {
  kIcReq = 0x00, kIcResp = 0x01, kH2CTermReq = 0x02, kC2HTermReq = 0x03, kCapsuleCmd = 0x04,
  kCapsuleResp = 0x05, kH2CData = 0x06, kC2HData = 0x07, kR2T = 0x09,
};
inline constexpr std::uint8_t kFlagHdgst = 0x01, kFlagDdgst = 0x02, kFlagDataLast = 0x04, kFlagDataSuccess = 0x08;
inline constexpr std::size_t kCommonHeader = 8;
inline constexpr std::size_t kIcLen = 128;        // ICReq and ICResp: hlen = plen = 128
inline constexpr std::size_t kCmdHeader = 72;     // common header + 64-byte SQE
inline constexpr std::size_t kRespLen = 24;       // common header + 16-byte CQE
inline constexpr std::size_t kDataHeader = 24;    // H2CData, C2HData, R2T
inline constexpr std::size_t kTermHeader = 24;
inline constexpr std::uint8_t kDigestHeader = 0x01, kDigestData = 0x02;
}  // namespace tcp

// SGL descriptor types byte (type << 4 | subtype) a Linux host uses.
inline constexpr std::uint8_t kSglInCapsule = 0x01;      // data block, offset (data in the capsule)
inline constexpr std::uint8_t kSglTransport = 0x5A;      // transport data block (data by R2T/H2C or C2H)

namespace opc {
inline constexpr std::uint8_t kFlush = 0x00, kWrite = 0x01, kRead = 0x02;
inline constexpr std::uint8_t kGetLogPage = 0x02, kIdentify = 0x06, kAbort = 0x08, kSetFeatures = 0x09,
                              kGetFeatures = 0x0A, kAsyncEvent = 0x0C, kKeepAlive = 0x18, kFabrics = 0x7F;
inline constexpr std::uint8_t kFctPropertySet = 0x00, kFctConnect = 0x01, kFctPropertyGet = 0x04;
}  // namespace opc

// Completion status, as the kernel's NVME_SC_* (status code type << 8 | code), DNR = 0x4000.
namespace sc {
inline constexpr std::uint16_t kSuccess = 0x000, kInvalidOpcode = 0x001, kInvalidField = 0x002,
                               kDataXferError = 0x004, kInternal = 0x006, kInvalidNs = 0x00B,
                               kLbaRange = 0x080, kCapacityExceeded = 0x081, kAerLimit = 0x105,
                               kInvalidLog = 0x109, kConnectInvalidParam = 0x182, kConnectInvalidHost = 0x184,
                               kDnr = 0x4000;
}  // namespace sc

// Controller properties (NVMe-oF Property Get/Set offsets).
namespace prop {
inline constexpr std::uint32_t kCap = 0x00, kVs = 0x08, kCc = 0x14, kCsts = 0x1C;
}

inline constexpr std::uint32_t kVersion13 = 0x00010300;
inline constexpr std::size_t kSqeSize = 64, kCqeSize = 16, kIdentifySize = 4096;

// A 64-byte submission queue entry as received.
struct Sqe {
  std::array<std::uint8_t, kSqeSize> b{};
  std::uint8_t opcode() const { return b[0]; }
  std::uint16_t cid() const { return get16(b, 2); }
  std::uint32_t nsid() const { return get32(b, 4); }
  std::uint8_t fctype() const { return b[4]; }
  std::uint32_t cdw(int n) const { return get32(b, std::size_t(n) * 4); }  // cdw10..15
  std::uint32_t sgl_length() const { return get32(b, 24 + 8); }
  std::uint8_t sgl_type() const { return b[24 + 15]; }
  std::uint64_t sgl_addr() const { return get64(b, 24); }
  // Bits 1:0 of the opcode: 01 host-to-controller data, 10 controller-to-host (fabrics: by fctype).
  bool host_to_ctrl() const { return (opcode() & 0x03) == 0x01 || (opcode() == opc::kFabrics && (fctype() & 0x03) == 0x01); }
};

struct Cqe {
  std::uint64_t result = 0;
  std::uint16_t sqhd = 0, sqid = 0, cid = 0, status = 0;  // status without the phase bit
};

}  // namespace mpsim::live
