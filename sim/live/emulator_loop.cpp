// The emulator's loop on io_uring (why: emulator.h). Each round: the clock when it is due, the
// faults and checks whose time has come, then every operation wanted (a recv per readable
// connection, a send per connection with output, an accept per listening port, the reads of the
// wake eventfd and the signalfd, one timer) goes into the ring, and one io_uring_enter submits
// them all and waits for the next completion.
//
// Lifetimes: an operation's buffer (a connection's rbuf or `sending`, the Ring's read buffers)
// belongs to the kernel until the operation's completion arrives. A connection closed meanwhile
// is shut down at once (the FIN goes out, its recv completes) and freed only when nothing of it
// is in flight; at stop, drain() waits for every completion before the buffers go.
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "sim/live/emulator_state.h"

namespace mpsim::live {

namespace {

// user_data: the operation's kind in the top byte, a connection id or port below.
enum class Op : std::uint8_t { kIgnore = 0, kRecv = kOpRecv, kSend, kAccept = kOpAccept, kWake, kTimer };
static_assert(kOpAccept == kOpRecv + 2);
constexpr std::uint64_t tag(Op op, std::uint64_t id) { return std::uint64_t(op) << 56 | (id & ((1ull << 56) - 1)); }
constexpr Op op_of(std::uint64_t data) { return Op(data >> 56); }
constexpr std::uint64_t id_of(std::uint64_t data) { return data & ((1ull << 56) - 1); }

// While I/O flows and no timer is due, the cached clock is at most this old when a command
// stamps its controller's keep-alive time.
constexpr std::int64_t kClockTick = 50'000'000;

}  // namespace

io_uring_sqe* Emulator::sqe() {
  io_uring_sqe* s = io_uring_get_sqe(&ring_->ring);
  if (!s) {  // the submission queue is full: hand it to the kernel and take a fresh entry
    io_uring_submit(&ring_->ring);
    ++loop_calls_.enter;
    s = io_uring_get_sqe(&ring_->ring);
  }
  ++ring_->in_flight;
  return s;
}

void Emulator::arm_accept(std::uint32_t port) {
  PortRuntime& rt = ports_rt_[port];
  if (rt.accept_armed || rt.listen_fd < 0 || rt.silent) return;  // silent: SYNs wait in the backlog
  io_uring_sqe* s = sqe();
  io_uring_prep_accept(s, rt.listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
  io_uring_sqe_set_data64(s, tag(Op::kAccept, port));
  rt.accept_armed = true;
}

void Emulator::arm_recv(Conn& c) {
  if (c.recv_armed || c.closing || ports_rt_[c.port].silent) return;
  if (c.session->output().size() + c.sending.size() - c.sent >= kOutputHighWater) return;  // the host must read first
  io_uring_sqe* s = sqe();
  io_uring_prep_recv(s, c.fd, c.rbuf.get(), kRecvBuffer, 0);
  io_uring_sqe_set_data64(s, tag(Op::kRecv, c.id));
  c.recv_armed = true;
  ++loop_calls_.recv;
}

void Emulator::arm_send(Conn& c) {
  if (c.send_armed || c.closing || ports_rt_[c.port].silent) return;
  if (c.loss_out.holding()) {  // a lost send waits for its retransmission; what follows reaches the host behind it
    if (c.session->output().size() > c.out_seen) {
      c.out_seen = c.session->output().size();
      passes(c, c.loss_out, c.out_seen);
    }
    return;
  }
  if (c.sent == c.sending.size()) {  // the last send is done: take what the session wrote since
    if (c.session->output().empty()) return;
    c.sending.clear();
    c.sent = 0;
    std::swap(c.sending, c.session->output());
    if (!passes(c, c.loss_out, c.sending.size())) {  // lost: held until resent
      c.out_seen = 0;
      return;
    }
  }
  io_uring_sqe* s = sqe();
  io_uring_prep_send(s, c.fd, c.sending.data() + c.sent, c.sending.size() - c.sent, MSG_NOSIGNAL);
  io_uring_sqe_set_data64(s, tag(Op::kSend, c.id));
  c.send_armed = true;
  ++loop_calls_.send;
}

void Emulator::arm_reads() {
  if (!ring_->wake_armed) {
    io_uring_sqe* s = sqe();
    io_uring_prep_read(s, wake_fd_, &ring_->wake_value, sizeof ring_->wake_value, 0);
    io_uring_sqe_set_data64(s, tag(Op::kWake, 0));
    ring_->wake_armed = true;
  }
}

// One timer in the ring, at an absolute CLOCK_MONOTONIC time; an earlier deadline moves it.
void Emulator::arm_timer(std::int64_t deadline_ns) {
  if (ring_->timer_armed && ring_->timer_at <= deadline_ns) return;
  const std::int64_t abs = start_ns_ + deadline_ns;
  ring_->timer_ts.tv_sec = abs / 1'000'000'000;
  ring_->timer_ts.tv_nsec = abs % 1'000'000'000;
  io_uring_sqe* s = sqe();
  if (ring_->timer_armed) {
    io_uring_prep_timeout_update(s, &ring_->timer_ts, tag(Op::kTimer, 0), IORING_TIMEOUT_ABS);
    io_uring_sqe_set_data64(s, tag(Op::kIgnore, 0));
  } else {
    io_uring_prep_timeout(s, &ring_->timer_ts, 0, IORING_TIMEOUT_ABS);
    io_uring_sqe_set_data64(s, tag(Op::kTimer, 0));
  }
  ring_->timer_armed = true;
  ring_->timer_at = deadline_ns;
  // The kernel reads timer_ts when the entry is submitted: at this round's io_uring_enter, before
  // the next round could rewrite it.
}

void Emulator::cancel(std::uint64_t user_data) {
  io_uring_sqe* s = sqe();
  io_uring_prep_cancel64(s, user_data, 0);
  io_uring_sqe_set_data64(s, tag(Op::kIgnore, 0));
}

void Emulator::arm_wanted() {
  arm_reads();
  for (std::uint32_t p = 0; p < ports_rt_.size(); ++p) arm_accept(p);
  for (auto& [id, c] : conns_) {
    arm_send(*c);
    arm_recv(*c);
  }
}

// Data of the host's stream into its session; a protocol error closes the connection.
void Emulator::feed(Conn& c, ByteSpan bytes, std::int64_t now_ns) {
  if (!c.session->receive(bytes, now_ns)) {
    ++protocol_errors_;
    to_close_.push_back({c.id, "protocol error: " + c.session->reason()});
  }
}

void Emulator::on_recv(Conn& c, int res, std::int64_t now_ns) {
  c.recv_armed = false;
  if (c.closing || res == -ECANCELED) return;
  if (res == 0) return to_close_.push_back({c.id, "closed by the host"});
  if (res < 0) return to_close_.push_back({c.id, std::strerror(-res)});
  const ByteSpan got(c.rbuf.get(), std::size_t(res));
  if (ports_rt_[c.port].silent) {  // read before the cancel took effect: kept for the port's return
    c.held_input.insert(c.held_input.end(), got.begin(), got.end());
    return;
  }
  if (lossy(c) && !passes(c, c.loss_in, got.size())) {  // lost, or behind a lost segment: resent later
    c.held_behind_loss.insert(c.held_behind_loss.end(), got.begin(), got.end());
    return;
  }
  feed(c, got, now_ns);
}

void Emulator::on_send(Conn& c, int res) {
  c.send_armed = false;
  if (c.closing || res == -ECANCELED) return;
  if (res < 0) return to_close_.push_back({c.id, std::strerror(-res)});
  c.sent += std::size_t(res);
}

// At close: what is ready leaves in one plain send, unless a send in the ring still holds the
// stream's order (then the host gets the FIN after it).
void Emulator::send_now(Conn& c) {
  if (c.send_armed || c.fd < 0) return;
  Bytes& out = c.session->output();
  if (c.sent < c.sending.size()) out.insert(out.begin(), c.sending.begin() + std::ptrdiff_t(c.sent), c.sending.end());
  c.sending.clear();
  c.sent = 0;
  if (!out.empty()) {
    (void)!::send(c.fd, out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    ++loop_calls_.other;
  }
  out.clear();
}

void Emulator::forget_if_done(ConnId id) {
  auto it = conns_.find(id);
  if (it != conns_.end() && it->second->closing && !it->second->recv_armed && !it->second->send_armed) conns_.erase(it);
}

void Emulator::complete(std::uint64_t data, int res, std::int64_t now_ns, bool& stopping, bool& clock_due) {
  --ring_->in_flight;
  const std::uint64_t id = id_of(data);
  switch (op_of(data)) {
    case Op::kIgnore: return;
    case Op::kRecv:
    case Op::kSend: {
      auto it = conns_.find(id);
      if (it == conns_.end()) return;
      if (op_of(data) == Op::kRecv) on_recv(*it->second, res, now_ns);
      else on_send(*it->second, res);
      return forget_if_done(id);
    }
    case Op::kAccept: {
      PortRuntime& rt = ports_rt_[std::uint32_t(id)];
      rt.accept_armed = false;
      if (res < 0) return;  // the listener was shut down (port down), or a transient error: armed again if listening
      if (rt.listen_fd < 0) {
        ::close(res);
        ++loop_calls_.other;
        return;
      }
      return new_connection(std::uint32_t(id), res);
    }
    case Op::kWake: {  // stop(), or a signal's handler
      ring_->wake_armed = false;
      const unsigned signals = options_.handle_signals ? take_signals() : 0;
      if (signals & kSignalFaultClock) start_fault_clock();
      if ((signals & kSignalStop) || stop_requested_) stopping = true;
      return;
    }
    case Op::kTimer:
      ring_->timer_armed = false;
      clock_due = true;
      return;
  }
}

// Modelled delays need the clock on every wake-up; without them a cached one serves.
bool Emulator::precise_time() const {
  if (options_.apply_models) return true;
  for (std::uint32_t p = 0; p < ports_rt_.size(); ++p) {
    if (target_->port_delay(p) > 0 || ports_rt_[p].loss > 0) return true;
  }
  for (const auto& [id, c] : conns_) {
    if (lossy(*c)) return true;  // a held retransmission is due at its time
  }
  return false;
}

// The next time something is due: a fault action, the keep-alive check, a delayed completion, the end.
std::int64_t Emulator::next_deadline() const {
  std::int64_t t = next_keep_alive_check_;
  if (next_action_ < plan_.size() && fault_t0_ >= 0) t = std::min(t, fault_t0_ + plan_[next_action_].at);
  for (const auto& [id, c] : conns_) {
    if (c->closing) continue;
    const std::int64_t due = c->session->release(-1);  // peek: nothing is due before time -1
    if (due >= 0) t = std::min(t, due);
    for (const LossyStream* s : {&c->loss_out, &c->loss_in}) {
      if (s->holding()) t = std::min(t, s->due());
    }
  }
  if (options_.duration_s > 0) t = std::min(t, std::int64_t(options_.duration_s * 1e9));
  return t;
}

int Emulator::run() {
  // The ring belongs to the loop's thread (the tests start() on one thread and run() on another):
  // its completions' task work then interrupts no other thread.
  ring_ = std::make_unique<Ring>();
  if (const int err = io_uring_queue_init(256, &ring_->ring, 0); err < 0) {
    ring_.reset();
    throw std::runtime_error(std::string("io_uring_queue_init: ") + std::strerror(-err));
  }
  std::int64_t t = now();
  std::int64_t clock_read_at = t;
  bool clock_due = false, traffic = false;
  for (;;) {
    if (clock_due || precise_time()) {
      t = now();
      clock_read_at = t;
      clock_due = traffic = false;
    }
    round_t_ = t;
    apply_due_faults(t);
    if (t >= next_keep_alive_check_) {
      target_->check_keep_alive(t);
      next_keep_alive_check_ = t + 1'000'000'000;
    }
    for (auto& [id, c] : conns_) {
      if (c->closing) continue;
      c->session->release(t);
      resend_due(*c, t);
    }
    while (!to_close_.empty()) {
      auto batch = std::move(to_close_);
      to_close_.clear();
      for (auto& [id, why] : batch) close_now(id, why);
    }
    if (options_.duration_s > 0 && t >= std::int64_t(options_.duration_s * 1e9)) break;
    const std::uint64_t sends_before = loop_calls_.send;
    arm_wanted();
    // A send completes at once, in the enter that submits it: waiting for it too spares the round
    // (and the io_uring_enter) that would only collect its completion.
    const unsigned wait_for = 1 + unsigned(loop_calls_.send - sends_before);
    std::int64_t deadline = next_deadline();
    if (traffic) deadline = std::min(deadline, clock_read_at + kClockTick);
    arm_timer(std::max(deadline, clock_read_at));
    if (wait_for == 1) {
      io_uring_submit_and_wait(&ring_->ring, 1);
    } else {  // a send the host does not take must not hold the loop past the timer: a bounded wait
      io_uring_cqe* first = nullptr;
      __kernel_timespec ts{0, kClockTick};
      io_uring_submit_and_wait_timeout(&ring_->ring, &first, wait_for, &ts, nullptr);
    }
    ++loop_calls_.enter;
    bool stopping = false;
    unsigned head = 0, seen = 0;
    io_uring_cqe* cqe = nullptr;
    io_uring_for_each_cqe(&ring_->ring, head, cqe) {
      complete(io_uring_cqe_get_data64(cqe), cqe->res, t, stopping, clock_due);
      ++seen;
    }
    io_uring_cq_advance(&ring_->ring, seen);
    traffic = traffic || seen > 0;
    if (stopping) {
      event("stop", "emulator", options_.handle_signals ? "signal or stop request" : "stop request");
      break;
    }
  }
  for (auto& [id, c] : conns_) {
    if (!c->closing) send_now(*c);
  }
  log_counters();
  std::uint64_t ios = 0;
  for (std::uint32_t p = 0; p < addresses_.size(); ++p) ios += target_->counters(p).ios;
  // The loop's system calls per I/O: what the emulator costs where each one is expensive (UML).
  const LoopCalls& n = loop_calls_;
  event("loop-calls", "emulator",
        std::to_string(ios) + " I/Os: " + std::to_string(n.enter + n.clock + n.other) + " system calls (" +
            std::to_string(n.enter) + " io_uring enters, " + std::to_string(n.clock) + " clock reads, " +
            std::to_string(n.other) + " others); " + std::to_string(n.recv) + " recv and " + std::to_string(n.send) +
            " send operations in the ring");
  // Still on the loop's thread: every operation ends here and the ring goes, so no completion's
  // task work is left for another thread (one that destroys the emulator) to be interrupted by.
  drain();
  io_uring_queue_exit(&ring_->ring);
  ring_.reset();
  return protocol_errors_;
}

// Every operation still in the ring ends: connections shut down, the rest cancelled.
void Emulator::drain() {
  for (auto& [id, c] : conns_) {
    if (c->fd >= 0) ::shutdown(c->fd, SHUT_RDWR);
  }
  for (PortRuntime& p : ports_rt_) {
    if (p.listen_fd >= 0) ::shutdown(p.listen_fd, SHUT_RDWR);
  }
  io_uring_sqe* s = io_uring_get_sqe(&ring_->ring);
  if (s) {
    io_uring_prep_cancel64(s, 0, IORING_ASYNC_CANCEL_ANY);
    io_uring_sqe_set_data64(s, tag(Op::kIgnore, 0));
    ++ring_->in_flight;
  }
  io_uring_submit(&ring_->ring);
  for (int round = 0; ring_->in_flight > 0 && round < 1000; ++round) {
    io_uring_cqe* cqe = nullptr;
    __kernel_timespec ts{0, 10'000'000};
    if (io_uring_wait_cqe_timeout(&ring_->ring, &cqe, &ts) != 0) continue;
    unsigned head = 0, seen = 0;
    io_uring_for_each_cqe(&ring_->ring, head, cqe) {
      --ring_->in_flight;
      ++seen;
    }
    io_uring_cq_advance(&ring_->ring, seen);
  }
}

}  // namespace mpsim::live
