// TCP recovery on every connection direction (sim/tcp.h): a message lost on the wire stays in
// its sender's retransmit queue and is sent again on Linux's schedule, and the receiver delivers
// in order. The rules, from net/ipv4/tcp_timer.c and tcp_input.c:
//  - the RTO is srtt + rttvar, rttvar never below tcp_rto_min (200 ms) (models::RttEstimator);
//    the timer runs from the lost segment's transmission;
//  - each RTO that finds the route still dead doubles the interval up to TCP_RTO_MAX (120 s)
//    (tcp_retransmit_timer); after tcp_retries2 the socket gives up, timed from the first
//    transmission (retransmits_timed_out / tcp_model_timeout: 924.6 s from 200 ms);
//  - before any RTO, a segment sent after the lost one and delivered makes the receiver SACK it,
//    and RACK retransmits the lost one after its reordering window (min_rtt / 4) (tcp_recovery.c);
//    after an RTO the sender is in Loss state with cwnd 1 and sends nothing new until the
//    retransmission is acknowledged, so later messages wait behind it; a lost retransmission
//    and a lost message with nothing delivered after it (a tail) wait for the RTO;
//  - a socket torn down (RST, nvme-tcp error recovery with sock_no_linger, controller delete)
//    loses what its queue held.
// Simplified: the whole queue goes again at once when the retransmission gets through (Linux
// sends the head, then the rest in slow start within a few round trips: microseconds here); no
// tail loss probe; all I/O queues of a controller share one socket.
#include <algorithm>
#include <cstdio>
#include <string>

#include "sim/metrics.h"
#include "sim/transport.h"

namespace mpsim::sim {

namespace {

constexpr std::uint32_t tcp_key(std::uint32_t conn, TcpSocketKind k, TcpDir d) {
  return conn * 4 + std::uint32_t(k) * 2 + d;
}

std::string seconds_text(std::int64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", double(ns) / 1e9);
  return buf;
}

}  // namespace

bool Transport::arrives(std::uint32_t conn, TcpSocketKind k, TcpDir d, std::int64_t sent, const TcpMessage& m) {
  Conn& c = conns_[conn];
  TcpSocket& sock = c.tcp->loss_state()[std::size_t(k)];
  std::unique_ptr<TcpRecovery>& rec = sock.recovery[d];
  const bool lost = released(sock, d, sent, m) ? fabric_.lost(c.route, sent)
                                              : fabric_.lost_or_dropped(c.route, sent, segments_on_wire(sock, d, sent, m));
  if (lost) ++tcp_stats_.lost;
  if (!rec) {
    if (!lost) return true;
    rec = std::make_unique<TcpRecovery>();
    c.tcp_pending |= tcp_bit(k, d);
    const TcpResent& again = sock.resent[d];
    if (sent == again.at) {  // a retransmission lost again: its backoff goes on, and the RTO finds it
      rec->first_sent = again.first_sent;
      rec->backoff = again.backoff;
      rec->rto = again.next_rto;
      rec->fast_armed = true;
    } else {
      rec->first_sent = sent;
      rec->rto = c.tcp->rtt[std::size_t(k)].rto_ns(wire_.tcp());
    }
    rec->queue.push_back(m);
    arm_tcp_timer(conn, k, d, sent + rec->rto);
    return false;
  }
  rec->queue.push_back(m);  // lost too, or out of order: the receiver holds it behind the lost one
  rec->queue.back().held = !lost;
  if (!lost && rec->backoff == 0 && !rec->fast_armed) {
    // Its SACK crosses back, and RACK marks the lost segment after the reordering window.
    rec->fast_armed = true;
    const std::int64_t srtt = c.tcp->rtt[std::size_t(k)].srtt_ns();
    const std::int64_t at = sched_.now() + srtt / 2 + (srtt >> wire_.tcp().reo_wnd_shift);
    if (at < rec->timer_at) {
      arm_tcp_timer(conn, k, d, at);
      rec->timer_is_fast = true;
    }
  }
  return false;
}

void Transport::arm_tcp_timer(std::uint32_t conn, TcpSocketKind k, TcpDir d, std::int64_t at) {
  Conn& c = conns_[conn];
  TcpRecovery& rec = *(*c.tcp->sockets)[std::size_t(k)].recovery[d];
  rec.timer_gen = ++c.tcp->timer_gen;
  rec.timer_at = at;
  rec.timer_is_fast = false;
  sched_.at(at, tcp_timer_, tcp_key(conn, k, d), rec.timer_gen);
}

void Transport::tcp_timer(std::uint32_t key, std::uint32_t gen) {
  const std::uint32_t conn = key / 4;
  const auto k = TcpSocketKind((key / 2) % 2);
  const auto d = TcpDir(key % 2);
  Conn& c = conns_[conn];
  if (!c.tcp->sockets) return;  // torn down since: new sockets
  std::unique_ptr<TcpRecovery>& rec = (*c.tcp->sockets)[std::size_t(k)].recovery[d];
  if (!rec || rec->timer_gen != gen) return;
  const models::TcpParams& tcp = wire_.tcp();
  if (d == kToHost && !target_knows(c)) return discard_tcp(conn, false, true, "the target closed the connection");
  if (!rec->timer_is_fast && rec->backoff > 0 &&
      sched_.now() - rec->first_sent >= models::tcp_give_up_ns(tcp, tcp.retries2)) {
    ++tcp_stats_.give_ups;
    if (metrics_) metrics_->event(sched_.now(), "tcp", c.name, "tcp_retries2 exhausted: the socket gives up");
    discard_tcp(conn, d == kToTarget, d == kToHost, "the socket gave up");
    if (d == kToHost) {  // nvmet loses the queue's socket and with it the controller
      target_.forget(c.target_ctrl);
      return;
    }
    return socket_error_now(conn);  // ETIMEDOUT: nvme-tcp's error recovery
  }
  if (!fabric_.route_up(c.route)) {  // the retransmission is lost too: back off (tcp_retransmit_timer)
    ++rec->backoff;
    ++tcp_stats_.rto_backoffs;
    rec->rto = std::min(rec->rto * 2, tcp.rto_max_ns);
    return arm_tcp_timer(conn, k, d, sched_.now() + rec->rto);
  }
  resend(conn, k, d);
}

// The retransmission gets through: the receiver takes the lost message and what it held behind.
void Transport::resend(std::uint32_t conn, TcpSocketKind k, TcpDir d) {
  Conn& c = conns_[conn];
  TcpSocket& sock = (*c.tcp->sockets)[std::size_t(k)];
  const std::unique_ptr<TcpRecovery> rec = std::move(sock.recovery[d]);
  c.tcp_pending &= std::uint8_t(~tcp_bit(k, d));
  const models::TcpParams& tcp = wire_.tcp();
  const std::int64_t now = sched_.now();
  const TcpMessage& head = rec->queue.front();
  sock.resent[d] = TcpResent{now,
                             rec->timer_is_fast ? rec->rto : std::min(rec->rto * 2, tcp.rto_max_ns),
                             rec->first_sent,
                             rec->timer_is_fast ? rec->backoff : rec->backoff + 1,
                             head.arrival,
                             head.a,
                             head.tag};
  if (rec->backoff > 0 && metrics_) {
    metrics_->event(now, "tcp", c.name,
                    std::string(k == TcpSocketKind::Io ? "I/O" : "admin") + " socket " +
                        (d == kToTarget ? "host->target" : "target->host") + ": retransmission after " +
                        std::to_string(rec->backoff) + " backoffs gets through, " + seconds_text(now - rec->first_sent) +
                        " after the loss (" + std::to_string(rec->queue.size()) + " messages)");
  }
  for (const TcpMessage& m : rec->queue) {
    if (m.stamp == TcpStamp::Io) {  // an I/O the host gave up on meanwhile is not sent again
      const IoSlot* s = current(m.a, m.tag);
      if (!s || s->conn != conn) continue;
    }
    restamp(c, m, now);
    if (m.held) sock.released[d].push_back(TcpReleased{m.arrival, m.a, m.tag});
    const std::int64_t at = fabric_.send(c.route, d == kToTarget, m.bytes, now);
    sched_.at(at, m.arrival, m.a, m.tag);
    ++tcp_stats_.resends;
  }
}

// How many segments of `m` cross the wire now: all of them, except for the lost message the
// retransmission carries, which is its one missing segment (tcp_retransmit_skb sends one MSS
// with the RTO's cwnd of 1; RACK resends the segment the SACKs show missing). The rest of that
// message follows in slow start and is taken to get through (a loss there would cost RACK
// about one round trip).
std::uint32_t Transport::segments_on_wire(const TcpSocket& sock, TcpDir d, std::int64_t sent, const TcpMessage& m) const {
  const TcpResent& again = sock.resent[d];
  if (sent == again.at && m.arrival == again.head_arrival && m.a == again.head_a && m.tag == again.head_tag) return 1;
  return wire_.segments(m.bytes);
}

// Whether `m` is a held message sent again with its lost one (then it is taken off the list).
bool Transport::released(TcpSocket& sock, TcpDir d, std::int64_t sent, const TcpMessage& m) {
  std::vector<TcpReleased>& list = sock.released[d];
  if (list.empty() || sent != sock.resent[d].at) return false;
  for (auto it = list.begin(); it != list.end(); ++it) {
    if (it->arrival == m.arrival && it->a == m.a && it->tag == m.tag) {
      list.erase(it);
      return true;
    }
  }
  return false;
}

void Transport::restamp(Conn& c, const TcpMessage& m, std::int64_t now) {
  switch (m.stamp) {
    case TcpStamp::Io: pool_.at(m.a).sent = now; return;
    case TcpStamp::Admin: c.admin_sent[m.admin_index] = now; return;
    case TcpStamp::Aen: c.aen_sent = now; return;
  }
}

void Transport::rtt_sample(Conn& c, TcpSocketKind k, std::int64_t one_way_ns) {
  c.tcp->rtt[std::size_t(k)].sample(2 * one_way_ns, sched_.now(), wire_.tcp());
}

void Transport::discard_tcp(std::uint32_t conn, bool host_side, bool target_side, const char* why) {
  Conn& c = conns_[conn];
  if (!c.tcp->sockets) return;  // nothing lost or held: no direction is in recovery
  std::size_t n = 0;
  for (TcpSocketKind k : {TcpSocketKind::Admin, TcpSocketKind::Io}) {
    TcpSocket& sock = (*c.tcp->sockets)[std::size_t(k)];
    for (TcpDir d : {kToTarget, kToHost}) {
      if (!(d == kToTarget ? host_side : target_side)) continue;
      c.tcp_pending &= std::uint8_t(~tcp_bit(k, d));
      if (sock.recovery[d]) n += sock.recovery[d]->queue.size();
      sock.recovery[d].reset();
      sock.resent[d] = {};
      sock.released[d].clear();
    }
  }
  if (n == 0) return;
  tcp_stats_.discarded += n;
  if (metrics_) metrics_->event(sched_.now(), "tcp", c.name, "retransmit queue of " + std::to_string(n) + " messages discarded: " + why);
}

std::size_t Transport::retransmit_queue(std::uint32_t conn) const {
  const TcpConn& tcp = *conns_[conn].tcp;
  std::size_t n = 0;
  if (!tcp.sockets) return n;
  for (const TcpSocket& sock : *tcp.sockets) {
    for (const auto& rec : sock.recovery) n += rec ? rec->queue.size() : 0;
  }
  return n;
}

void Transport::target_closed(std::uint32_t conn) { discard_tcp(conn, false, true, "the target closed the connection"); }

}  // namespace mpsim::sim
