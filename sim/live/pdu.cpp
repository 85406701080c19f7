#include "sim/live/pdu.h"

namespace mpsim::live {

namespace {

void append_header(Bytes& out, std::uint8_t type, std::uint8_t flags, std::uint8_t hlen, std::uint8_t pdo,
                   std::uint32_t plen) {
  const std::size_t at = out.size();
  out.resize(at + hlen, 0);
  std::uint8_t* p = out.data() + at;
  p[0] = type;
  p[1] = flags;
  p[2] = hlen;
  p[3] = pdo;
  put32(p + 4, plen);
}

std::uint8_t expected_hlen(std::uint8_t type) {
  switch (type) {
    case tcp::kIcReq: return tcp::kIcLen;
    case tcp::kCapsuleCmd: return tcp::kCmdHeader;
    case tcp::kH2CData: return tcp::kDataHeader;
    case tcp::kH2CTermReq: return tcp::kTermHeader;
    default: return 0;
  }
}

}  // namespace

PduHeader parse_header(ByteSpan b) { return PduHeader{b[0], b[1], b[2], b[3], get32(b, 4)}; }

std::optional<std::string> check_host_header(const PduHeader& h, bool ic_done, std::uint32_t max_plen) {
  const std::uint8_t hlen = expected_hlen(h.type);
  if (hlen == 0) return "PDU type " + std::to_string(h.type) + " is not one a host sends";
  if (!ic_done && h.type != tcp::kIcReq) return "PDU type " + std::to_string(h.type) + " before ICReq";
  if (ic_done && h.type == tcp::kIcReq) return "a second ICReq";
  if (h.hlen != hlen) return "hlen " + std::to_string(h.hlen) + " for PDU type " + std::to_string(h.type) +
                             " (expected " + std::to_string(hlen) + ")";
  if (h.flags & (tcp::kFlagHdgst | tcp::kFlagDdgst)) return "digest flag set, but digests were not negotiated";
  if (h.plen < hlen) return "plen " + std::to_string(h.plen) + " shorter than its header";
  if (h.plen > max_plen) return "plen " + std::to_string(h.plen) + " over the limit " + std::to_string(max_plen);
  if (h.type == tcp::kIcReq && h.plen != tcp::kIcLen) return "ICReq plen " + std::to_string(h.plen);
  const bool has_data = h.plen > hlen;
  if (h.type == tcp::kCapsuleCmd || h.type == tcp::kH2CData) {
    if (has_data && (h.pdo < hlen || h.pdo > h.plen)) return "pdo " + std::to_string(h.pdo) + " outside the PDU";
    if (!has_data && h.pdo != 0 && h.pdo != h.plen) return "pdo " + std::to_string(h.pdo) + " without data";
  }
  return std::nullopt;
}

IcReq parse_icreq(ByteSpan p) { return IcReq{get16(p, 8), p[10], p[11], get32(p, 12)}; }

std::variant<Capsule, std::string> parse_capsule(ByteSpan p) {
  const PduHeader h = parse_header(p);
  Capsule c;
  std::memcpy(c.sqe.b.data(), p.data() + tcp::kCommonHeader, kSqeSize);
  if (h.plen > h.hlen) c.data = p.subspan(h.pdo, h.plen - h.pdo);
  const std::uint8_t type = c.sqe.sgl_type();
  if (!c.data.empty()) {
    if (type != kSglInCapsule) return "in-capsule data with SGL type " + std::to_string(type);
    if (c.sqe.sgl_addr() != 0) return "in-capsule data at offset " + std::to_string(c.sqe.sgl_addr()) + " (icdoff is 0)";
    if (c.sqe.sgl_length() != c.data.size())
      return "SGL length " + std::to_string(c.sqe.sgl_length()) + " but " + std::to_string(c.data.size()) +
             " bytes in the capsule";
  } else if (c.sqe.sgl_length() == 0) {
    // No data either way: nvmet ignores the descriptor's type then, and so does this target.
  } else if (type != kSglTransport && type != kSglInCapsule) {
    return "unsupported SGL type " + std::to_string(type);
  } else if (type == kSglInCapsule && c.sqe.sgl_length() != 0) {
    return "in-capsule SGL of " + std::to_string(c.sqe.sgl_length()) + " bytes but no data in the capsule";
  }
  return c;
}

std::variant<DataPdu, std::string> parse_h2c_data(ByteSpan p) {
  const PduHeader h = parse_header(p);
  DataPdu d{get16(p, 8), get16(p, 10), get32(p, 12), get32(p, 16), (h.flags & tcp::kFlagDataLast) != 0, {}};
  const std::size_t start = h.plen > h.hlen ? h.pdo : h.plen;
  d.data = p.subspan(start, h.plen - start);
  if (d.data.size() != d.length)
    return "H2CData datal " + std::to_string(d.length) + " but " + std::to_string(d.data.size()) + " bytes carried";
  if (d.length == 0) return "H2CData without data";
  return d;
}

void append_icresp(Bytes& out, std::uint32_t maxh2cdata) {
  const std::size_t at = out.size();
  append_header(out, tcp::kIcResp, 0, tcp::kIcLen, 0, tcp::kIcLen);
  put16(out.data() + at + 8, 0);   // pfv 1.0
  out[at + 10] = 0;                // cpda: no alignment
  out[at + 11] = 0;                // no header or data digest
  put32(out.data() + at + 12, maxh2cdata);
}

void append_capsule_resp(Bytes& out, const Cqe& cqe) {
  const std::size_t at = out.size();
  append_header(out, tcp::kCapsuleResp, 0, tcp::kRespLen, 0, tcp::kRespLen);
  std::uint8_t* p = out.data() + at + tcp::kCommonHeader;
  put64(p, cqe.result);
  put16(p + 8, cqe.sqhd);
  put16(p + 10, cqe.sqid);
  put16(p + 12, cqe.cid);
  put16(p + 14, std::uint16_t(cqe.status << 1));
}

void append_c2h_data(Bytes& out, std::uint16_t cid, std::uint32_t offset, ByteSpan data, bool last) {
  const std::size_t at = out.size();
  append_header(out, tcp::kC2HData, last ? tcp::kFlagDataLast : 0, tcp::kDataHeader, tcp::kDataHeader,
                std::uint32_t(tcp::kDataHeader + data.size()));
  put16(out.data() + at + 8, cid);
  put32(out.data() + at + 12, offset);
  put32(out.data() + at + 16, std::uint32_t(data.size()));
  out.insert(out.end(), data.begin(), data.end());
}

void append_r2t(Bytes& out, std::uint16_t cid, std::uint16_t ttag, std::uint32_t offset, std::uint32_t length) {
  const std::size_t at = out.size();
  append_header(out, tcp::kR2T, 0, tcp::kDataHeader, 0, tcp::kDataHeader);
  put16(out.data() + at + 8, cid);
  put16(out.data() + at + 10, ttag);
  put32(out.data() + at + 12, offset);
  put32(out.data() + at + 16, length);
}

void append_c2h_term(Bytes& out, std::uint16_t fes, std::uint32_t fei) {
  const std::size_t at = out.size();
  append_header(out, tcp::kC2HTermReq, 0, tcp::kTermHeader, 0, tcp::kTermHeader);
  put16(out.data() + at + 8, fes);
  put32(out.data() + at + 10, fei);
}

void append_icreq(Bytes& out) {
  append_header(out, tcp::kIcReq, 0, tcp::kIcLen, 0, tcp::kIcLen);  // pfv 0, hpda 0, no digests, maxr2t 0
}

void append_capsule_cmd(Bytes& out, const Sqe& sqe, ByteSpan data) {
  const std::size_t at = out.size();
  const auto plen = std::uint32_t(tcp::kCmdHeader + data.size());
  append_header(out, tcp::kCapsuleCmd, 0, tcp::kCmdHeader, data.empty() ? 0 : tcp::kCmdHeader, plen);
  std::memcpy(out.data() + at + tcp::kCommonHeader, sqe.b.data(), kSqeSize);
  out.insert(out.end(), data.begin(), data.end());
}

void append_h2c_data(Bytes& out, std::uint16_t cid, std::uint16_t ttag, std::uint32_t offset, ByteSpan data, bool last) {
  const std::size_t at = out.size();
  append_header(out, tcp::kH2CData, last ? tcp::kFlagDataLast : 0, tcp::kDataHeader, tcp::kDataHeader,
                std::uint32_t(tcp::kDataHeader + data.size()));
  put16(out.data() + at + 8, cid);
  put16(out.data() + at + 10, ttag);
  put32(out.data() + at + 12, offset);
  put32(out.data() + at + 16, std::uint32_t(data.size()));
  out.insert(out.end(), data.begin(), data.end());
}

Cqe parse_cqe(ByteSpan p) {
  ByteSpan c = p.subspan(tcp::kCommonHeader, kCqeSize);
  return Cqe{get64(c, 0), get16(c, 8), get16(c, 10), get16(c, 12), std::uint16_t(get16(c, 14) >> 1)};
}

}  // namespace mpsim::live
