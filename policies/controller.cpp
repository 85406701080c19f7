// Controller lifecycle, error recovery and the reconnect loop (core.c state machine, tcp.c
// nvme_tcp_error_recovery_work / nvme_reset_ctrl_work / nvme_tcp_reconnect_or_remove, fabrics.c
// nvmf_should_reconnect), the tag table and the I/O timeout. Keep-alive and ANA live in
// controller_ana_ka.cpp.
#include "policies/controller.h"

#include <algorithm>

#include "policies/namespace_head.h"

namespace mpsim::policies {

long max_reconnects(const ControllerConfig& c) {
  if (c.ctrl_loss_tmo < Duration(0)) return -1;
  if (c.reconnect_delay <= Duration(0)) return -1;  // nvmf rejects a zero delay; treat as unlimited
  return static_cast<long>((c.ctrl_loss_tmo + c.reconnect_delay - Duration(1)) / c.reconnect_delay);
}

Controller::Controller(std::string name, ControllerConfig config, TimerService& timers,
                       ControllerTransport& transport, ControllerObserver* observer)
    : name_(std::move(name)), config_(config), timers_(timers), transport_(transport), observer_(observer),
      ka_last_check_(timers.now()) {}  // nvme_init_ctrl

Controller::~Controller() { cancel_all_timers(); }

// ---- small helpers ---------------------------------------------------------------------------

void Controller::cancel_timer(TimerId& id) {
  if (id != TimerService::kNoTimer) timers_.cancel(id);
  id = TimerService::kNoTimer;
}

void Controller::cancel_all_timers() {
  for (TimerId* t : {&teardown_timer_, &reconnect_timer_, &failfast_timer_, &ka_timer_, &admin_q_timer_,
                     &io_timer_, &anatt_timer_, &connect_timer_, &ana_read_timer_})
    cancel_timer(*t);
}

void Controller::set_state(ControllerState to, std::string_view why) {
  ControllerState from = state_;
  state_ = to;
  if (observer_ != nullptr) observer_->on_state_change(*this, from, to, why);
}

// Each namespace has one path per controller, but dedupe anyway: heads get one call per event.
std::vector<NamespaceHead*> Controller::heads() const {
  std::vector<NamespaceHead*> out;
  for (Path* p : paths_)
    if (std::find(out.begin(), out.end(), p->head) == out.end()) out.push_back(p->head);
  return out;
}

void Controller::notify_paths_changed() {
  for (NamespaceHead* h : heads()) h->on_paths_changed();
}

void Controller::kick_heads() {
  for (NamespaceHead* h : heads()) h->kick_requeue();
}

// nvme_mpath_set_live for every path that can now carry I/O.
void Controller::set_live_paths() {
  for (Path* p : paths_)
    if (path_usable(*p)) p->head->on_path_live(*p);
}

// ---- host-driven lifecycle -------------------------------------------------------------------

void Controller::start() {
  if (state_ != ControllerState::New) return;
  set_state(ControllerState::Connecting, "create controller");
  send_connect();
}

// nvme_reset_ctrl: only a LIVE controller can be reset (RESETTING is reachable from NEW/LIVE
// only, and NEW never needs it here); the work then reconnects at once.
void Controller::reset() {
  if (state_ != ControllerState::Live) return;
  ++counters_.resets;
  set_state(ControllerState::Resetting, "reset");
  notify_paths_changed();
  schedule_teardown(true);
}

void Controller::remove() {
  if (state_ == ControllerState::Deleting || state_ == ControllerState::DeletingNoIo ||
      state_ == ControllerState::Dead)
    return;
  delete_ctrl("deleted by host");
}

// ---- engine events ---------------------------------------------------------------------------

void Controller::on_transport_error() { error_recovery("transport error"); }

void Controller::on_connect_done(bool ok, const AnaLog& log) {
  if (state_ != ControllerState::Connecting || !connecting_) return;  // stale answer
  connect_done(ok, log);
}

// An unanswered connect fails like any other after admin_timeout; the transport drops the
// half-open association first so a late answer cannot arrive.
void Controller::send_connect() {
  connecting_ = true;
  cancel_timer(connect_timer_);
  connect_timer_ = timers_.schedule_after(config_.admin_timeout, [this] {
    connect_timer_ = TimerService::kNoTimer;
    if (state_ != ControllerState::Connecting || !connecting_) return;
    ++counters_.admin_timeouts;
    transport_.disconnect(*this);
    connect_done(false, {});
  });
  transport_.connect(*this);
}

void Controller::connect_done(bool ok, const AnaLog& log) {
  connecting_ = false;
  cancel_timer(connect_timer_);
  if (ok) {
    become_live(log);
  } else if (!ever_live_) {
    // nvme_tcp_create_ctrl: a failed first connect fails the create; there is no retry loop.
    delete_ctrl("initial connect failed");
  } else {
    reconnect_or_remove();
  }
}

// nvme_tcp_error_recovery: LIVE -> RESETTING, then the teardown work. Errors in any other
// state are already being handled (or the connect attempt will fail by itself).
void Controller::error_recovery(std::string_view why) {
  if (state_ != ControllerState::Live) return;
  ++counters_.resets;
  set_state(ControllerState::Resetting, why);
  notify_paths_changed();
  schedule_teardown(false);
}

// The kernel runs teardown from a workqueue; doing the same through a 0-delay timer keeps an
// engine that reports an error from inside transport.dispatch() from re-entering the tag table.
void Controller::schedule_teardown(bool reconnect_now) {
  reconnect_after_teardown_ = reconnect_now;
  cancel_timer(teardown_timer_);
  teardown_timer_ = timers_.schedule_after(Duration(0), [this] {
    teardown_timer_ = TimerService::kNoTimer;
    teardown_work();
  });
}

void Controller::teardown_work() {
  if (state_ != ControllerState::Resetting) return;
  stop_keep_alive();
  cancel_timer(anatt_timer_);  // nvme_mpath_stop
  cancel_timer(io_timer_);
  cancel_timer(ana_read_timer_);
  ana_read_outstanding_ = false;
  ana_reread_ = false;
  transport_.disconnect(*this);
  cancel_inflight();
  abort_tag_waiters();
  set_state(ControllerState::Connecting, reconnect_after_teardown_ ? "reset: reconnecting" : "error recovery");
  start_failfast();
  if (reconnect_after_teardown_)
    connect_attempt();  // nvme_reset_ctrl_work sets the controller up again at once
  else
    reconnect_or_remove();
}

// nvme_cancel_request: every in-flight command completes with HOST_ABORTED_CMD, which the head
// fails over. The head's complete() removes each one from the table through end_io().
void Controller::cancel_inflight() {
  while (!inflight_.empty()) {
    IoRequest* io = inflight_.back();
    ++counters_.cancelled_ios;
    io->path->head->complete(*io, NvmeStatus{status::kHostAbortedCommand, false, 0});
    if (!inflight_.empty() && inflight_.back() == io) end_io(*io);  // never loop on a head that kept it
  }
}

// Requests that were waiting for a tag now get one on a dead queue: nvme_fail_nonready_command
// completes them with HOST_PATH_ERROR, i.e. they fail over.
void Controller::abort_tag_waiters() {
  Fifo<IoRequest*> waiters;
  waiters.swap(tag_waiters_);
  for (IoRequest* io : waiters) io->path->head->abort_tag_wait(*io);
}

// nvme_tcp_reconnect_or_remove + nvmf_should_reconnect.
void Controller::reconnect_or_remove() {
  long max = max_reconnects(config_);
  if (max != -1 && static_cast<long>(nr_reconnects_) >= max) {
    delete_ctrl("Removing controller");
    return;
  }
  cancel_timer(reconnect_timer_);
  reconnect_timer_ = timers_.schedule_after(config_.reconnect_delay, [this] {
    reconnect_timer_ = TimerService::kNoTimer;
    connect_attempt();
  });
}

// nvme_tcp_reconnect_ctrl_work: ++nr_reconnects, then set up. (The reset work increments only
// on failure; the count seen by nvmf_should_reconnect is the same.)
void Controller::connect_attempt() {
  if (state_ != ControllerState::Connecting) return;
  ++nr_reconnects_;
  ++counters_.reconnect_attempts;
  send_connect();
}

// nvme_tcp_setup_ctrl success: LIVE, failfast stopped, nr_active zeroed (nvme_mpath_init_identify),
// the connect's ANA log applied, set_live for usable paths, requeue lists kicked, keep-alive on.
void Controller::become_live(const AnaLog& log) {
  cancel_timer(failfast_timer_);
  failfast_expired_ = false;
  nr_reconnects_ = 0;
  nr_active = 0;
  ever_live_ = true;
  set_state(ControllerState::Live, "connected");
  apply_ana_log(log);
  if (!config_.ana_supported) set_live_paths();  // non-ANA controllers: every path goes live
  start_keep_alive();
  kick_heads();
}

// nvme_delete_ctrl + nvme_do_delete_ctrl, done in one step: the paths leave the heads first so
// the cancelled I/O fails over elsewhere, then the queues go.
void Controller::delete_ctrl(std::string_view why) {
  set_state(ControllerState::Deleting, why);
  cancel_all_timers();
  ka_outstanding_ = false;
  connecting_ = false;
  for (Path* p : paths_) p->removed = true;
  transport_.disconnect(*this);
  cancel_inflight();
  abort_tag_waiters();
  set_state(ControllerState::Dead, why);
  notify_paths_changed();
}

// nvme_start_failfast_work: armed on RESETTING -> CONNECTING when fast_io_fail_tmo >= 0.
void Controller::start_failfast() {
  if (config_.fast_io_fail_tmo < Duration(0)) return;
  cancel_timer(failfast_timer_);
  failfast_timer_ = timers_.schedule_after(config_.fast_io_fail_tmo, [this] {
    failfast_timer_ = TimerService::kNoTimer;
    failfast_work();
  });
}

void Controller::failfast_work() {
  if (state_ != ControllerState::Connecting) return;
  failfast_expired_ = true;
  if (observer_ != nullptr) observer_->on_state_change(*this, state_, state_, "failfast expired");
  kick_heads();
}

// ---- paths, tags and in-flight I/O -----------------------------------------------------------

// A namespace found on a controller that is already LIVE goes live at once (nvme_mpath_add_disk).
void Controller::attach(Path& p) {
  paths_.push_back(&p);
  if (state_ == ControllerState::Live && path_usable(p)) p.head->on_path_live(p);
}

bool Controller::has_free_tag() const {
  return state_ == ControllerState::Live && inflight_.size() < tag_capacity();
}

// Waiters go first: a new request does not overtake one that is already sleeping on a tag.
bool Controller::can_accept() const { return has_free_tag() && tag_waiters_.empty(); }

bool Controller::owns(const IoRequest& io) const {
  return io.path != nullptr && io.path->ctrl == this && io.ctrl_slot < inflight_.size() &&
         inflight_[io.ctrl_slot] == &io;
}

void Controller::start_io(IoRequest& io) {
  io.ctrl_slot = static_cast<std::uint32_t>(inflight_.size());
  inflight_.push_back(&io);
  if (io_timer_ == TimerService::kNoTimer) arm_io_timer(io.dispatched + config_.io_timeout);
  transport_.dispatch(io);
}

void Controller::end_io(IoRequest& io) {
  if (!owns(io)) return;
  IoRequest* last = inflight_.back();
  inflight_[io.ctrl_slot] = last;
  last->ctrl_slot = io.ctrl_slot;
  inflight_.pop_back();
  note_completion(io);
  drain_tag_waiters();
}

void Controller::wait_for_tag(IoRequest& io) {
  ++counters_.tag_waits;
  tag_waiters_.push_back(&io);
}

void Controller::drain_tag_waiters() {
  while (!tag_waiters_.empty() && has_free_tag()) {
    IoRequest* io = tag_waiters_.front();
    tag_waiters_.pop_front();
    io->path->head->resume_tag_wait(*io);
  }
}

// One timer per controller, armed for the earliest deadline, like blk-mq's request timer; a
// scan on expiry finds what really timed out and re-arms for the next deadline.
void Controller::arm_io_timer(TimePoint deadline) {
  Duration delay = std::max(Duration(0), deadline - timers_.now());
  io_timer_ = timers_.schedule_after(delay, [this] {
    io_timer_ = TimerService::kNoTimer;
    io_timer_fired();
  });
}

void Controller::io_timer_fired() {
  if (state_ != ControllerState::Live || inflight_.empty()) return;
  TimePoint now = timers_.now();
  std::uint64_t expired = 0;
  TimePoint next = TimePoint::max();
  for (const IoRequest* io : inflight_) {
    TimePoint deadline = io->dispatched + config_.io_timeout;
    if (deadline <= now)
      ++expired;
    else
      next = std::min(next, deadline);
  }
  if (expired > 0) {
    counters_.io_timeouts += expired;
    error_recovery("I/O timeout");  // nvme_tcp_timeout on a LIVE controller
    return;
  }
  arm_io_timer(next);
}

}  // namespace mpsim::policies
