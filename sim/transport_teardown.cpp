// Commands on the wire when the host closes a live connection (issue 11, "commands left behind").
//
// nvme-tcp's teardown (controller reset, error recovery, delete) first shuts each queue's socket
// down, kernel_sock_shutdown(SHUT_RDWR) in __nvme_tcp_stop_queue: TCP sends a FIN behind what
// the socket already sent. Only then does it free the queue (sock_release; nvme-tcp sets
// sock_no_linger, so the close is an RST that also drops what was never acknowledged). A command
// capsule already on the wire therefore reaches nvmet ahead of the FIN. There
// (drivers/nvme/target/tcp.c, Linux 6.12) the data makes nvmet_tcp_data_ready queue io_work on
// the high-priority nvmet_tcp_wq; the FIN then makes nvmet_tcp_state_change (TCP_CLOSE_WAIT)
// schedule release_work on nvmet_wq, and nvmet_tcp_release_queue_work starts with
// cancel_work_sync(&queue->io_work), which waits for an io_work that is running, and
// nvmet_sq_destroy, which waits for every request io_work submitted. So the command is read,
// executed and reaches the media although the host already failed it over: one more command
// left behind, and, for a write, a candidate ghost write (write_order.h).
//
// What does not get there: a command lost on the wire (the closed socket resends nothing) or
// held behind a lost one (TCP had not delivered it), a command of a connection the target no
// longer holds (its FIN got there first, a reconnect replaced the controller, its node went
// down), and a write whose data needs an R2T (nvmet asks the closed host for it, never gets it,
// and nvmet_tcp_uninit_data_in_cmds frees it at release). Simplified: a command whose host CPU
// work was still running at the teardown is taken as sent; on a target with several cores an
// io_work still pending when release_work runs would be cancelled instead (the guest has one).
#include <algorithm>

#include "sim/transport.h"

namespace mpsim::sim {

// Called from disconnect() before the epoch moves on, while the host still holds the commands.
void Transport::leave_on_wire(std::uint32_t conn) {
  Conn& c = conns_[conn];
  target_.drop_on_wire(conn);  // the previous teardown's that never arrived
  if (!c.ctrl) return;
  for (const policies::IoRequest* io : c.ctrl->inflight_requests()) {
    const IoSlot& s = *static_cast<const IoSlot*>(io->user);
    if (!s.live || s.conn != conn || s.epoch != c.epoch) continue;
    const std::uint32_t slot = pool_.index(s);
    // On the wire: it left at its dispatch (nothing restamped it: the target's answer, an R2T or
    // an ANA refusal would have) and nvmet does not have it.
    if (s.sent != io->dispatched.count() || target_.has(slot, s.tag) || tcp_holds(c, slot, s.tag)) continue;
    const bool write = s.req.dir == policies::IoDirection::Write;
    if (write && pool_.profile(s.job).wire[0].r2t_bytes) continue;  // its data never comes
    MediaCommand m;
    m.slot = slot;
    m.attempt = s.tag;
    m.sent = s.sent;
    m.node = c.route.node;
    m.conn = conn;
    m.media = pool_.profile(s.job).media;
    m.io_id = s.req.id;
    m.offset = s.req.offset;
    m.bytes = s.req.bytes;
    m.write = write;
    target_.on_wire(TargetModel::WireCommand{m, s.job, c.epoch});
  }
}

// A command TCP had not delivered when the connection closed: lost, or held behind a lost one.
bool Transport::tcp_holds(const Conn& c, std::uint32_t slot, std::uint32_t tag) const {
  if (!(c.tcp_pending & tcp_bit(TcpSocketKind::Io, kToTarget))) return false;
  const auto& rec = (*c.tcp->sockets)[std::size_t(TcpSocketKind::Io)].recovery[kToTarget];  // tcp_pending: allocated
  return rec && std::any_of(rec->queue.begin(), rec->queue.end(), [&](const TcpMessage& m) {
           return m.arrival == io_at_target_ && m.a == slot && m.tag == tag;
         });
}

// The capsule of a closed connection reaches the target: nvmet runs it as any other, and the
// host, which gave up on it, hears nothing of it (its landing is reported: HostSide::landed).
void Transport::left_behind_at_target(std::uint32_t slot, std::uint32_t attempt) {
  std::optional<TargetModel::WireCommand> w = target_.arrive(slot, attempt);
  if (!w) return;
  const Conn& c = conns_[w->cmd.conn];
  const bool read = !w->cmd.write;
  const IoProfile& p = pool_.profile(w->engine);
  const std::int64_t now = sched_.now();
  if (fabric_.lost_or_dropped(c.route, w->cmd.sent, wire_.segments(p.wire[read].command_bytes))) return;
  if (!target_.knows(c.target_ctrl, w->epoch, now)) return;
  target_.command(c.target_ctrl, now);
  const std::int64_t t = target_.run_io_cpu(c.target_ctrl, w->engine, now, p.target_cpu_ns[read]);
  if (!target_.check_ana(c.port, p.grpid).ok()) return;  // refused; the answer meets a closed socket
  const std::int64_t admitted = target_.admit(p.media, t, read, w->cmd.bytes);
  if (admitted > t) {
    target_.hold(w->cmd);
    return sched_.at(admitted, qos_released_, slot, attempt);
  }
  left_behind_to_media(w->cmd, t);
}

}  // namespace mpsim::sim
