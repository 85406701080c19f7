#include "sim/live/session.h"

#include <algorithm>

#include "sim/live/pdu.h"

namespace mpsim::live {

Session::Session(LiveTarget& target, ConnId id, std::uint32_t port) : target_(target) {
  q_.conn = id;
  q_.port = port;
}

Session::~Session() { target_.disconnect(q_); }

bool Session::fail(std::string why) {
  reason_ = std::move(why);
  return false;
}

bool Session::receive(ByteSpan bytes, std::int64_t now_ns) {
  if (!reason_.empty()) return false;
  in_.insert(in_.end(), bytes.begin(), bytes.end());
  std::size_t at = 0;
  bool ok = true;
  while (ok && in_.size() - at >= tcp::kCommonHeader) {
    ByteSpan rest(in_.data() + at, in_.size() - at);
    const PduHeader h = parse_header(rest);
    if (auto bad = check_host_header(h, ic_done_, kMaxPdu)) {
      ok = fail(*bad);
      break;
    }
    if (rest.size() < h.plen) break;
    ok = handle(rest.first(h.plen), now_ns);
    at += h.plen;
  }
  in_.erase(in_.begin(), in_.begin() + std::ptrdiff_t(at));
  return ok;
}

bool Session::handle(ByteSpan pdu, std::int64_t now_ns) {
  switch (pdu[0]) {
    case tcp::kIcReq: return handle_icreq(pdu);
    case tcp::kCapsuleCmd: return handle_capsule(pdu, now_ns);
    case tcp::kH2CData: return handle_h2c_data(pdu, now_ns);
    default:  // H2CTermReq: check_host_header admits nothing else
      return fail("host terminated the connection (H2CTermReq, FES " + std::to_string(get16(pdu, 8)) + ")");
  }
}

bool Session::handle_icreq(ByteSpan pdu) {
  const IcReq req = parse_icreq(pdu);
  if (req.pfv != 0) return fail("ICReq PFV " + std::to_string(req.pfv) + " (only 1.0 is known)");
  if (tcp::kDataHeader % ((req.hpda + 1u) * 4) != 0) return fail("ICReq HPDA " + std::to_string(req.hpda) + " not supported");
  append_icresp(out_, TargetLimits::kMaxH2CData);
  ic_done_ = true;
  if (req.digest & (tcp::kDigestHeader | tcp::kDigestData))
    return fail("host asked for header/data digests; this target does not support digests (connect without -g/-G)");
  return true;
}

bool Session::handle_capsule(ByteSpan pdu, std::int64_t now_ns) {
  auto parsed = parse_capsule(pdu);
  if (auto* bad = std::get_if<std::string>(&parsed)) return fail(*bad);
  const Capsule& cap = std::get<Capsule>(parsed);
  const std::size_t limit = q_.connected ? q_.sqsize + 1u : 32u;
  if (in_progress_ >= limit) return fail("more than " + std::to_string(limit) + " commands outstanding (queue size)");
  if (cap.data.size() > TargetLimits::kInlineData)
    return fail("in-capsule data of " + std::to_string(cap.data.size()) + " bytes over IOCCSZ");
  ++in_progress_;
  sq_head_ = std::uint16_t((sq_head_ + 1) % (q_.connected ? q_.sqsize + 1u : 0x10000u));
  const Sqe& sqe = cap.sqe;
  const bool needs_r2t = sqe.host_to_ctrl() && sqe.sgl_type() == kSglTransport && sqe.sgl_length() > 0;
  if (!needs_r2t) {
    run(sqe, cap.data, now_ns);
    return true;
  }
  if (sqe.sgl_length() > TargetLimits::kMaxTransfer) {  // over MDTS: refuse without taking the data
    Outcome o{sc::kInvalidField | sc::kDnr};
    append_completion(out_, sqe.cid(), o);
    --in_progress_;
    return true;
  }
  const std::uint16_t ttag = next_ttag_++;
  Transfer& t = transfers_[ttag];
  t.sqe = sqe;
  t.data.resize(sqe.sgl_length());
  append_r2t(out_, sqe.cid(), ttag, 0, sqe.sgl_length());
  return true;
}

bool Session::handle_h2c_data(ByteSpan pdu, std::int64_t now_ns) {
  auto parsed = parse_h2c_data(pdu);
  if (auto* bad = std::get_if<std::string>(&parsed)) return fail(*bad);
  const DataPdu& d = std::get<DataPdu>(parsed);
  auto it = transfers_.find(d.ttag);
  if (it == transfers_.end()) return fail("H2CData for unknown transfer tag " + std::to_string(d.ttag));
  Transfer& t = it->second;
  if (d.cid != t.sqe.cid()) return fail("H2CData command id " + std::to_string(d.cid) + " does not match its R2T");
  if (d.offset != t.received || d.length > t.data.size() - t.received)
    return fail("H2CData offset " + std::to_string(d.offset) + " length " + std::to_string(d.length) +
                " outside the R2T's range");
  std::copy(d.data.begin(), d.data.end(), t.data.begin() + t.received);
  t.received += d.length;
  if (t.received < t.data.size()) return true;
  Transfer done = std::move(t);
  transfers_.erase(it);
  run(done.sqe, done.data, now_ns);
  return true;
}

void Session::run(const Sqe& sqe, ByteSpan data, std::int64_t now_ns) {
  Outcome o = target_.execute(q_, sqe, data, now_ns);
  if (o.held) return;
  if (o.data.size() > sqe.sgl_length()) o.data.resize(sqe.sgl_length());  // what the host's SGL holds
  if (o.delay_ns <= 0) {
    append_completion(out_, sqe.cid(), o);
    --in_progress_;
    return;
  }
  Bytes pdus;
  append_completion(pdus, sqe.cid(), o);
  delayed_.emplace(now_ns + o.delay_ns, std::move(pdus));
}

void Session::append_completion(Bytes& out, std::uint16_t cid, const Outcome& o) const {
  if (o.status == sc::kSuccess && !o.data.empty()) {
    // Only as much as the host's SGL asked for; a C2H transfer fits MAXH2CDATA-sized PDUs.
    const std::uint32_t total = std::uint32_t(std::min<std::size_t>(o.data.size(), TargetLimits::kMaxTransfer));
    for (std::uint32_t off = 0; off < total; off += TargetLimits::kMaxH2CData) {
      const std::uint32_t n = std::min(total - off, TargetLimits::kMaxH2CData);
      append_c2h_data(out, cid, off, ByteSpan(o.data).subspan(off, n), off + n == total);
    }
  }
  Cqe cqe;
  cqe.result = o.result;
  cqe.sqhd = sq_head_;
  cqe.sqid = q_.qid;
  cqe.cid = cid;
  cqe.status = o.status;
  append_capsule_resp(out, cqe);
}

std::int64_t Session::release(std::int64_t now_ns) {
  while (!delayed_.empty() && delayed_.begin()->first <= now_ns) {
    Bytes& b = delayed_.begin()->second;
    out_.insert(out_.end(), b.begin(), b.end());
    delayed_.erase(delayed_.begin());
    --in_progress_;
  }
  return delayed_.empty() ? -1 : delayed_.begin()->first;
}

void Session::complete_held(const Cqe& held) {
  Cqe cqe = held;
  cqe.sqhd = sq_head_;
  cqe.sqid = q_.qid;
  append_capsule_resp(out_, cqe);
  if (in_progress_ > 0) --in_progress_;
}

}  // namespace mpsim::live
