// TCP under NVMe/TCP as far as faults need it: what a sender keeps after a loss and when it
// sends it again (sim/tcp_transport.cpp applies it; sim/README.md "TCP retransmission" says what
// is modelled and what is simplified). Every connection has two sockets, as nvme-tcp opens one
// per queue: the admin queue's and the I/O queue's (all I/O queues of a controller share one
// here), each with two directions. A connection whose messages never went through loss
// accounting keeps only its RTT estimators, and a direction that has lost nothing no state beyond
// a null pointer: the healthy path pays one test per message.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "models/transport.h"
#include "sim/calendar.h"

namespace mpsim::sim {

enum class TcpSocketKind : std::uint8_t { Admin = 0, Io = 1 };
enum TcpDir : std::uint8_t { kToTarget = 0, kToHost = 1 };

// Which of the transport's "sent at" stamps a resent message moves to its new send time.
enum class TcpStamp : std::uint8_t { Io, Admin, Aen };

// A message the receiver has not delivered yet: its arrival event and what it needs to be sent
// again.
struct TcpMessage {
  EventType arrival = 0;
  TcpStamp stamp = TcpStamp::Io;
  std::uint8_t admin_index = 0;      // TcpStamp::Admin: which command's stamp
  std::uint32_t a = 0, tag = 0;      // the arrival event's own arguments
  std::uint32_t bytes = 0;           // on the wire
  bool held = false;                 // it reached the receiver, which holds it behind a lost one
};

// A held message sent again with the lost one: the receiver already has it, so it cannot be lost again.
struct TcpReleased {
  EventType arrival = 0;
  std::uint32_t a = 0, tag = 0;
};

// A direction in loss recovery: from its first lost message until a retransmission gets
// through. Allocated only then.
struct TcpRecovery {
  std::vector<TcpMessage> queue;     // the lost message first, then everything sent after it, in order
  std::int64_t first_sent = 0;       // the lost message's first transmission (tcp_retries2's clock)
  std::int64_t rto = 0;              // the timer's current interval, backoff included
  std::uint32_t backoff = 0;         // RTOs fired without getting through (icsk_backoff)
  std::int64_t timer_at = 0;         // when the armed timer fires
  std::uint32_t timer_gen = 0;       // the armed timer's generation; older timer events are stale
  bool fast_armed = false;           // a later segment got through: RACK retransmits early
  bool timer_is_fast = false;        // the armed timer is RACK's, not the RTO
};

// What a direction remembers of its last retransmission, so that a retransmitted message lost
// again on arrival continues the backoff instead of starting over.
struct TcpResent {
  std::int64_t at = -1;              // when the queue was sent again
  std::int64_t next_rto = 0;         // the RTO after that retransmission (doubled if the RTO sent it)
  std::int64_t first_sent = 0;
  std::uint32_t backoff = 0;
  // The lost message at the queue's head: its retransmission is one segment (the RTO's with
  // cwnd 1, or RACK's of the segment the SACKs show missing), so it is lost with p, not with
  // 1 - (1 - p)^segments as a whole message is.
  EventType head_arrival = 0;
  std::uint32_t head_a = 0, head_tag = 0;
};

// The bit of a socket direction in Conn::tcp_pending (set while it is in recovery).
constexpr std::uint8_t tcp_bit(TcpSocketKind k, TcpDir d) { return std::uint8_t(1u << (std::uint32_t(k) * 2 + d)); }

// A socket's retransmission state, per direction.
struct TcpSocket {
  std::array<std::unique_ptr<TcpRecovery>, 2> recovery;
  std::array<TcpResent, 2> resent;
  std::array<std::vector<TcpReleased>, 2> released;  // only after a loss
};

// A connection's two sockets, kept apart from its hot fields (Conn::tcp_pending says whether
// any direction is in recovery). Their retransmission state (about 300 bytes) is allocated
// when a message of the connection first meets a lossy route or fabric: at 1,024 hosts, holding
// it for every connection of a healthy run was 3 MB (issue 18).
struct TcpConn {
  std::array<models::RttEstimator, 2> rtt;  // [TcpSocketKind]: the sender's (both ends see the same round trip)
  std::unique_ptr<std::array<TcpSocket, 2>> sockets;  // [TcpSocketKind]; null: nothing lost or held yet
  std::uint32_t timer_gen = 0;       // not reset with the sockets: a stale timer event stays stale
  std::array<TcpSocket, 2>& loss_state() {
    if (!sockets) sockets = std::make_unique<std::array<TcpSocket, 2>>();
    return *sockets;
  }
  void reset() {  // new sockets
    rtt = {};
    sockets.reset();
  }
};

}  // namespace mpsim::sim
