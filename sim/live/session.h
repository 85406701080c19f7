// One NVMe/TCP connection's protocol, over bytes: the received byte stream in, the bytes to send
// out. It frames PDUs, checks them (pdu.h), negotiates ICReq/ICResp, collects write data by
// R2T/H2CData, hands each command to the LiveTarget and turns its Outcome into C2HData and
// CapsuleResp PDUs, now or when its modelled time is due. No socket and no clock: the emulator,
// the tests and the fuzz target drive it alike.
//
// Memory is bounded per connection: at most one PDU of kMaxPdu bytes is buffered on input; at
// most sqsize + 1 commands are in progress (more is a protocol error), each holding at most
// TargetLimits::kMaxTransfer bytes of data (128 x 128 KiB = 16 MiB for a full I/O queue).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "sim/live/live_target.h"

namespace mpsim::live {

class Session {
 public:
  static constexpr std::uint32_t kMaxPdu = tcp::kDataHeader + TargetLimits::kMaxH2CData;

  Session(LiveTarget& target, ConnId id, std::uint32_t port);
  ~Session();  // tells the target the connection is gone
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Consumes received bytes at time `now_ns`. False when the connection must close: a malformed
  // or out-of-sequence PDU, or a host that asked for what this target refuses; reason() says which.
  bool receive(ByteSpan bytes, std::int64_t now_ns);
  const std::string& reason() const { return reason_; }

  // Bytes to send now; the caller erases what it sent from the front.
  Bytes& output() { return out_; }
  // Moves completions whose modelled time has come to output(); returns the next due time, or -1.
  std::int64_t release(std::int64_t now_ns);
  // A held command (Asynchronous Event Request) completes.
  void complete_held(const Cqe& cqe);

  const QueueRef& queue() const { return q_; }
  std::size_t commands_in_progress() const { return in_progress_; }

 private:
  struct Transfer {
    Sqe sqe;
    Bytes data;
    std::uint32_t received = 0;
  };

  bool fail(std::string why);
  bool handle(ByteSpan pdu, std::int64_t now_ns);
  bool handle_icreq(ByteSpan pdu);
  bool handle_capsule(ByteSpan pdu, std::int64_t now_ns);
  bool handle_h2c_data(ByteSpan pdu, std::int64_t now_ns);
  void run(const Sqe& sqe, ByteSpan data, std::int64_t now_ns);
  void append_completion(Bytes& out, std::uint16_t cid, const Outcome& o) const;

  LiveTarget& target_;
  QueueRef q_;
  bool ic_done_ = false;
  Bytes in_;
  Bytes out_;
  std::map<std::uint16_t, Transfer> transfers_;  // by ttag
  std::uint16_t next_ttag_ = 0;
  std::size_t in_progress_ = 0;
  std::uint16_t sq_head_ = 0;
  std::multimap<std::int64_t, Bytes> delayed_;
  std::string reason_;
};

}  // namespace mpsim::live
