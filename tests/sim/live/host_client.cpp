#include "tests/sim/live/host_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "sim/live/pdu.h"

namespace mpsim::live::test {

HostClient::HostClient(const std::string& addr, std::uint32_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(std::uint16_t(port));
  inet_pton(AF_INET, addr.c_str(), &sa.sin_addr);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    // The destructor does not run for a constructor that throws: close here, or a retry loop
    // against a port that is down leaks a descriptor per attempt until socket() fails.
    const std::string err = std::strerror(errno);
    ::close(fd_);
    throw std::runtime_error("connect " + addr + ":" + std::to_string(port) + ": " + err);
  }
  timeval tv{5, 0};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

HostClient::~HostClient() {
  if (fd_ >= 0) ::close(fd_);
}

void HostClient::send_raw(ByteSpan b) {
  if (record_) record_->insert(record_->end(), b.begin(), b.end());
  std::size_t sent = 0;
  while (sent < b.size()) {
    const ssize_t n = ::send(fd_, b.data() + sent, b.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error(std::string("send: ") + std::strerror(errno));
    sent += std::size_t(n);
  }
}

void HostClient::read_exact(std::uint8_t* p, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::recv(fd_, p + got, n - got, 0);
    if (r == 0) throw std::runtime_error("connection closed by the target");
    if (r < 0) throw std::runtime_error(std::string("recv: ") + std::strerror(errno));
    got += std::size_t(r);
  }
}

Bytes HostClient::read_pdu() {
  Bytes pdu(tcp::kCommonHeader);
  read_exact(pdu.data(), pdu.size());
  const std::uint32_t plen = get32(pdu, 4);
  if (plen < tcp::kCommonHeader || plen > (1u << 20)) throw std::runtime_error("bad plen from the target");
  pdu.resize(plen);
  read_exact(pdu.data() + tcp::kCommonHeader, plen - tcp::kCommonHeader);
  return pdu;
}

bool HostClient::closed_by_target() {
  std::uint8_t b;
  const ssize_t r = ::recv(fd_, &b, 1, 0);
  return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

std::uint32_t HostClient::icreq() {
  Bytes b;
  append_icreq(b);
  send_raw(b);
  Bytes r = read_pdu();
  if (r[0] != tcp::kIcResp || r.size() != tcp::kIcLen || get16(r, 8) != 0 || r[10] != 0)
    throw std::runtime_error("bad ICResp");
  return get32(r, 12);
}

Sqe HostClient::make_sqe(std::uint8_t opcode, std::uint32_t nsid) {
  Sqe s;
  s.b[0] = opcode;
  put32(s.b.data() + 4, nsid);
  return s;
}

Cqe HostClient::command(Sqe sqe, ByteSpan out, Bytes* in, bool in_capsule) {
  const std::uint16_t cid = next_cid();
  put16(sqe.b.data() + 2, cid);
  Bytes b;
  if (!out.empty()) {
    put32(sqe.b.data() + 32, std::uint32_t(out.size()));
    sqe.b[39] = in_capsule ? kSglInCapsule : kSglTransport;
  } else if (in) {
    put32(sqe.b.data() + 32, std::uint32_t(in->size()));
    sqe.b[39] = kSglTransport;
  } else {
    sqe.b[39] = kSglTransport;  // null transport SGL, as the Linux host sends
  }
  append_capsule_cmd(b, sqe, in_capsule ? out : ByteSpan{});
  send_raw(b);
  for (;;) {
    Bytes pdu = read_pdu();
    if (pdu[0] == tcp::kC2HData && in) {
      const std::uint32_t off = get32(pdu, 12), len = get32(pdu, 16);
      if (off + len > in->size()) throw std::runtime_error("C2HData beyond the buffer");
      std::memcpy(in->data() + off, pdu.data() + pdu[3], len);
    } else if (pdu[0] == tcp::kR2T) {
      const std::uint32_t off = get32(pdu, 12), len = get32(pdu, 16);
      Bytes h2c;
      append_h2c_data(h2c, get16(pdu, 8), get16(pdu, 10), off, out.subspan(off, len), true);
      send_raw(h2c);
    } else if (pdu[0] == tcp::kCapsuleResp) {
      Cqe cqe = parse_cqe(pdu);
      if (cqe.cid == cid) return cqe;
      async_.push_back(cqe);
    } else {
      throw std::runtime_error("unexpected PDU type " + std::to_string(pdu[0]));
    }
  }
}

Cqe HostClient::next_async() {
  while (async_.empty()) {
    Bytes pdu = read_pdu();
    if (pdu[0] != tcp::kCapsuleResp) throw std::runtime_error("unexpected PDU while waiting for an event");
    async_.push_back(parse_cqe(pdu));
  }
  Cqe c = async_.front();
  async_.pop_front();
  return c;
}

Cqe HostClient::connect(std::uint16_t qid, const std::string& subnqn, std::uint16_t cntlid, std::uint16_t sqsize,
                        std::uint32_t kato_ms) {
  Sqe s = make_sqe(opc::kFabrics);
  s.b[4] = opc::kFctConnect;
  put16(s.b.data() + 42, qid);
  put16(s.b.data() + 44, sqsize);
  put32(s.b.data() + 48, kato_ms);
  Bytes data(1024, 0);
  put16(data.data() + 16, cntlid);
  std::memcpy(data.data() + 256, subnqn.data(), subnqn.size());
  const std::string host = "nqn.2014-08.org.nvmexpress:uuid:test-host";
  std::memcpy(data.data() + 512, host.data(), host.size());
  return command(s, data);
}

std::uint64_t HostClient::property_get(std::uint32_t offset, bool eight) {
  Sqe s = make_sqe(opc::kFabrics);
  s.b[4] = opc::kFctPropertyGet;
  s.b[40] = eight ? 1 : 0;
  put32(s.b.data() + 44, offset);
  Cqe c = command(s);
  if (c.status != 0) throw std::runtime_error("property get failed");
  return c.result;
}

Cqe HostClient::property_set(std::uint32_t offset, std::uint64_t value) {
  Sqe s = make_sqe(opc::kFabrics);
  s.b[4] = opc::kFctPropertySet;
  put32(s.b.data() + 44, offset);
  put64(s.b.data() + 48, value);
  return command(s);
}

Bytes HostClient::identify(std::uint8_t cns, std::uint32_t nsid) {
  Sqe s = make_sqe(opc::kIdentify, nsid);
  put32(s.b.data() + 40, cns);
  Bytes in(kIdentifySize, 0);
  Cqe c = command(s, {}, &in);
  if (c.status != 0) throw std::runtime_error("identify failed, status " + std::to_string(c.status));
  return in;
}

Bytes HostClient::get_log(std::uint8_t lid, std::uint32_t bytes, std::uint8_t lsp) {
  Sqe s = make_sqe(opc::kGetLogPage, 0xFFFFFFFF);
  const std::uint32_t numd = bytes / 4 - 1;
  put32(s.b.data() + 40, lid | std::uint32_t(lsp) << 8 | (numd & 0xFFFF) << 16);
  put32(s.b.data() + 44, numd >> 16);
  Bytes in(bytes, 0);
  Cqe c = command(s, {}, &in);
  if (c.status != 0) throw std::runtime_error("get log page failed, status " + std::to_string(c.status));
  return in;
}

Cqe HostClient::set_feature(std::uint8_t fid, std::uint32_t value) {
  Sqe s = make_sqe(opc::kSetFeatures);
  put32(s.b.data() + 40, fid);
  put32(s.b.data() + 44, value);
  return command(s);
}

void HostClient::submit_aer() {
  Sqe s = make_sqe(opc::kAsyncEvent);
  put16(s.b.data() + 2, next_cid());
  s.b[39] = kSglTransport;
  Bytes b;
  append_capsule_cmd(b, s, {});
  send_raw(b);
}

Cqe HostClient::io(std::uint8_t opcode, std::uint32_t nsid, std::uint64_t slba, std::uint32_t blocks, ByteSpan out,
                   Bytes* in, bool in_capsule) {
  Sqe s = make_sqe(opcode, nsid);
  put64(s.b.data() + 40, slba);
  put32(s.b.data() + 48, blocks - 1);
  return command(s, out, in, in_capsule);
}

}  // namespace mpsim::live::test
