// A minimal NVMe/TCP host for the live engine's tests: blocking socket with a 5 s receive
// timeout (a test fails rather than hangs), ICReq, commands with in-capsule or R2T write data,
// C2H read data, and asynchronous completions kept aside until asked for.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include "sim/live/nvme_wire.h"

namespace mpsim::live::test {

class HostClient {
 public:
  HostClient(const std::string& addr, std::uint32_t port);
  ~HostClient();
  HostClient(const HostClient&) = delete;
  HostClient& operator=(const HostClient&) = delete;

  void send_raw(ByteSpan bytes);
  // Every byte sent from now on is also appended to `sink` (the fuzz seeds record the client's
  // streams this way); nullptr stops recording.
  void record_to(Bytes* sink) { record_ = sink; }
  // Sends ICReq and returns ICResp's MAXH2CDATA (checks type, length, PFV and CPDA).
  std::uint32_t icreq();
  // Sends the command and returns its completion. `out` is write data: in the capsule if
  // `in_capsule`, else sent on the target's R2T. C2H data lands in `in` (sized by the SGL).
  Cqe command(Sqe sqe, ByteSpan out = {}, Bytes* in = nullptr, bool in_capsule = true);
  // The next completion for a command not waited for (an AER), reading if needed.
  Cqe next_async();
  // True when the target closed the connection (a read returns end of stream or a reset).
  bool closed_by_target();

  // Fabrics and admin helpers.
  Cqe connect(std::uint16_t qid, const std::string& subnqn, std::uint16_t cntlid, std::uint16_t sqsize = 31,
              std::uint32_t kato_ms = 0);
  std::uint64_t property_get(std::uint32_t offset, bool eight = false);
  Cqe property_set(std::uint32_t offset, std::uint64_t value);
  Bytes identify(std::uint8_t cns, std::uint32_t nsid);
  Bytes get_log(std::uint8_t lid, std::uint32_t bytes, std::uint8_t lsp = 0);
  Cqe set_feature(std::uint8_t fid, std::uint32_t value);
  void submit_aer();  // an Asynchronous Event Request, completion via next_async()
  Cqe io(std::uint8_t opcode, std::uint32_t nsid, std::uint64_t slba, std::uint32_t blocks, ByteSpan out = {},
         Bytes* in = nullptr, bool in_capsule = true);

  static Sqe make_sqe(std::uint8_t opcode, std::uint32_t nsid = 0);
  std::uint16_t next_cid() { return cid_++; }

 private:
  Bytes read_pdu();
  void read_exact(std::uint8_t* p, std::size_t n);

  int fd_ = -1;
  std::uint16_t cid_ = 1;
  std::deque<Cqe> async_;
  Bytes* record_ = nullptr;
};

}  // namespace mpsim::live::test
