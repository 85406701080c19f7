// The I/O path of a namespace head: submission (nvme_ns_head_submit_bio), completion
// disposition (nvme_decide_disposition / nvme_failover_req / nvme_retry_req), the requeue list
// and delayed retries. What differs per stack (which disposition, what happens when no path
// is chosen, which paths are offered) is asked of the head's StackRules (stacks/).
#include "policies/namespace_head.h"

#include <stdexcept>

#include "policies/failover_delay.h"
#include "policies/stack_rules.h"

namespace mpsim::policies {

NamespaceHead::NamespaceHead(HeadConfig config, std::unique_ptr<PathSelector> selector, TimerService& timers,
                             IoCompletionSink& sink)
    : config_(std::move(config)), selector_(std::move(selector)), timers_(timers), sink_(sink) {
  if (!selector_) throw std::invalid_argument("NamespaceHead " + config_.name + ": no path selector");
  rules_ = make_stack_rules(config_.stack, *this);
}

NamespaceHead::~NamespaceHead() {
  for (TimerId* t : {&delayed_timer_, &requeue_timer_}) cancel_timer(*t);
}  // rules_ cancels its own timers

void NamespaceHead::cancel_timer(TimerId& id) {
  if (id != TimerService::kNoTimer) timers_.cancel(id);
  id = TimerService::kNoTimer;
}

Path& NamespaceHead::add_path(Controller& ctrl, std::uint32_t ana_grpid, AnaState initial) {
  owned_.push_back(std::make_unique<Path>(ctrl, *this, list_.size(), ana_grpid, initial));
  Path& p = *owned_.back();
  list_.push_back(&p);
  rules_->on_path_added(p);
  selector_->on_paths_changed(rules_->selectable());
  ctrl.attach(p);  // goes live at once if the controller already is
  return p;
}

std::size_t NamespaceHead::inflight() const { return inflight_; }

void NamespaceHead::set_selector(std::unique_ptr<PathSelector> s, Stack stack) {
  if (!s) throw std::invalid_argument("NamespaceHead " + config_.name + ": no path selector");
  selector_ = std::move(s);
  config_.stack = stack;
  if (!rules_->serves(stack)) rules_ = make_stack_rules(stack, *this);
  selector_->on_paths_changed(rules_->selectable());
  kick_requeue();
}

// ---- submission ------------------------------------------------------------------------------

void NamespaceHead::submit(IoRequest& io) {
  ++counters_.submitted;
  io.submitted = timers_.now();
  io.path = nullptr;
  io.attempt = 0;
  io.retries = 0;
  io.failovers = 0;
  io.counted_active = false;
  route(io);
}

// nvme_ns_head_submit_bio: a path, or the no-path rules of the stack.
void NamespaceHead::route(IoRequest& io) {
  io.path = nullptr;
  if (removed_) {
    finish_error(io, NvmeStatus{}, FailReason::HeadRemoved);
    return;
  }
  if (Path* p = find_path(io)) {
    send_on(*p, io);
    return;
  }
  rules_->no_path(io);
}

bool NamespaceHead::available_path() const { return rules_->available_path(); }

Path* NamespaceHead::find_path(const IoRequest& io) {
  const PathList& paths = rules_->selectable();
  if (paths.empty()) return nullptr;
  SelectContext ctx{io.numa_node, io.thread, timers_.now()};
  Path* p = selector_->select(paths, io, ctx);
  if (p != nullptr && (!path_usable(*p) || p->head != this))
    throw std::logic_error("NamespaceHead " + config_.name + ": selector returned an unusable path");
  return p;
}

// blk-mq: a free tag sends it now; all tags busy on a LIVE controller waits for one (the bio is
// committed to the path); any other state is nvme_fail_nonready_command.
void NamespaceHead::send_on(Path& p, IoRequest& io) {
  Controller& c = *p.ctrl;
  if (c.can_accept()) {
    dispatch(p, io);
  } else if (c.state() == ControllerState::Live) {
    io.path = &p;
    ++tag_waiting_;
    c.wait_for_tag(io);
  } else {
    fail_nonready(io, p);
  }
}

void NamespaceHead::dispatch(Path& p, IoRequest& io) {
  TimePoint now = timers_.now();
  io.path = &p;
  ++io.attempt;
  io.dispatched = now;
  selector_->on_dispatch(p, io, now);
  ++p.counters.ios;
  ++inflight_;
  if (plugged_) {
    plug_list_.push_back(&io);
    return;
  }
  start(io);
}

// queue_rq: nvme_start_request, then the transport.
void NamespaceHead::start(IoRequest& io) {
  Path& p = *io.path;
  selector_->on_start(p, io, timers_.now());
  p.ctrl->start_io(io);
}

void NamespaceHead::plug() {
  if (plugged_) throw std::logic_error("NamespaceHead " + config_.name + ": plug() while plugged");
  plugged_ = true;
}

// blk_mq_flush_plug_list: every plugged request goes to its queue in order.
void NamespaceHead::unplug() {
  plugged_ = false;
  std::vector<IoRequest*> batch;
  batch.swap(plug_list_);
  for (IoRequest* io : batch) start_unplugged(*io);
}

// The controller may have lost its tag room or its LIVE state since the choice (another
// submitter's I/O, a state change): the attempt is undone and waits for a tag or fails over,
// as send_on would have decided.
void NamespaceHead::start_unplugged(IoRequest& io) {
  Path& p = *io.path;
  if (p.ctrl->has_free_tag()) return start(io);
  selector_->on_complete(p, io, timers_.now());
  --inflight_;
  if (p.ctrl->state() == ControllerState::Live) {
    ++tag_waiting_;
    p.ctrl->wait_for_tag(io);
  } else {
    fail_nonready(io, p);
  }
}

void NamespaceHead::resume_tag_wait(IoRequest& io) {
  --tag_waiting_;
  Path& p = *io.path;
  // A same-path retry is committed to its path whatever the ANA state (nvme_retry_req); a new
  // request whose path went away meanwhile is routed again rather than sent to a path the
  // selector could not have chosen.
  bool same_path_retry = io.retries > 0 && rules_->retry_keeps_path();
  if (!same_path_retry && !path_usable(p))
    route(io);
  else if (p.ctrl->has_free_tag())
    dispatch(p, io);  // the freed tag is this waiter's, whoever else is still waiting
  else
    send_on(p, io);
}

void NamespaceHead::abort_tag_wait(IoRequest& io) {
  --tag_waiting_;
  fail_nonready(io, *io.path);
}

// ---- completion ------------------------------------------------------------------------------

void NamespaceHead::complete(IoRequest& io, NvmeStatus status) {
  if (io.path == nullptr || io.path->head != this || !io.path->ctrl->owns(io)) {
    ++counters_.stale_completions;
    return;
  }
  finish_attempt(io, status);
}

void NamespaceHead::complete(IoRequest& io, NvmeStatus status, std::uint32_t attempt) {
  if (attempt != io.attempt) {
    ++counters_.stale_completions;
    return;
  }
  complete(io, status);
}

void NamespaceHead::finish_attempt(IoRequest& io, NvmeStatus status) {
  Path& p = *io.path;
  selector_->on_complete(p, io, timers_.now());
  end_active_count(p, io);
  --inflight_;
  p.ctrl->end_io(io);
  dispose(io, p, status);
}

// A request that never reached the wire because its controller is not LIVE: completed with
// HOST_PATH_ERROR, so it fails over (nvme_fail_nonready_command -> nvme_host_path_error).
void NamespaceHead::fail_nonready(IoRequest& io, Path& p) {
  dispose(io, p, NvmeStatus{status::kHostPathError, false, 0});
}

// Success completes under every stack; any other status is the stack's to judge.
void NamespaceHead::dispose(IoRequest& io, Path& p, NvmeStatus status) {
  io.path = &p;
  Disposition d = status.ok() ? Disposition::Complete : rules_->disposition(status, io.retries);
  switch (d) {
    case Disposition::Complete:
      finish_ok(io, status);
      return;
    case Disposition::Fail:
      finish_error(io, status, FailReason::ErrorStatus);
      return;
    case Disposition::RetrySamePath:
    case Disposition::RetryReselect: {
      ++io.retries;
      ++p.counters.retries;
      ++counters_.retries;
      if (d == Disposition::RetryReselect) io.path = nullptr;
      retry_later(io, retry_delay(status, config_.crdt));
      return;
    }
    case Disposition::FailPath:
      rules_->fail_path(p);
      failover(io, p, status);
      return;
    case Disposition::Failover:
      failover(io, p, status);
      return;
  }
}

// nvme_failover_req: refresh the selector, count, ANA-pending + log re-read for ANA statuses,
// back to the requeue list and kick it. The bio becomes a new request: retries start over. A
// cancelled write waits out failover_delay first (failover_delay.h; 0 in the kernel).
void NamespaceHead::failover(IoRequest& io, Path& p, NvmeStatus status) {
  selector_->on_path_failed(p);
  ++p.counters.failovers;
  ++counters_.failovers;
  ++io.failovers;
  if (is_ana_error(status.code) && rules_->ana_error_updates_path()) p.ctrl->on_ana_error(p);
  if (rules_->failover_gives_up()) {  // e.g. bdev_nvme: nothing may come back
    finish_error(io, status, FailReason::ErrorStatus);
    return;
  }
  if (!rules_->failover_keeps_retries()) io.retries = 0;
  io.path = nullptr;
  if (const Duration wait = failover_wait(io, status, config_.failover_delay); wait > Duration(0)) {
    ++counters_.failovers_delayed;
    retry_later(io, wait);
    return;
  }
  requeue(io);
  kick_requeue();
}

void NamespaceHead::finish_ok(IoRequest& io, NvmeStatus status) {
  ++counters_.completed;
  io.path = nullptr;
  sink_.finished(io, IoResult{status, FailReason::None});  // io may be reused from here on
}

void NamespaceHead::finish_error(IoRequest& io, NvmeStatus status, FailReason reason) {
  ++counters_.failed;
  if (io.path != nullptr) ++io.path->counters.errors;
  io.path = nullptr;
  sink_.finished(io, IoResult{status, reason});
}

// ---- requeue list and delayed retries --------------------------------------------------------

void NamespaceHead::requeue(IoRequest& io) {
  io.path = nullptr;
  requeue_.push_back(&io);
}

// nvme_kick_requeue_lists -> requeue_work: asynchronous, so a failover inside a completion
// never recurses into another submission.
void NamespaceHead::kick_requeue() {
  if (requeue_.empty() || requeue_timer_ != TimerService::kNoTimer) return;
  requeue_timer_ = timers_.schedule_after(Duration(0), [this] {
    requeue_timer_ = TimerService::kNoTimer;
    requeue_work();
  });
}

// One pass over what was queued when the work started; what requeues itself waits for the next kick.
void NamespaceHead::requeue_work() {
  for (std::size_t n = requeue_.size(); n > 0 && !requeue_.empty(); --n) {
    IoRequest* io = requeue_.front();
    requeue_.pop_front();
    route(*io);
  }
}

void NamespaceHead::retry_later(IoRequest& io, Duration delay) {
  delayed_.emplace(timers_.now() + delay, &io);
  arm_delayed_timer();
}

// One timer for all delayed I/O of the head, armed for the earliest due time.
void NamespaceHead::arm_delayed_timer() {
  if (delayed_.empty()) {
    cancel_timer(delayed_timer_);
    return;
  }
  TimePoint due = delayed_.begin()->first;
  if (delayed_timer_ != TimerService::kNoTimer && delayed_due_ == due) return;
  cancel_timer(delayed_timer_);
  delayed_due_ = due;
  Duration delay = due > timers_.now() ? due - timers_.now() : Duration(0);
  delayed_timer_ = timers_.schedule_after(delay, [this] {
    delayed_timer_ = TimerService::kNoTimer;
    delayed_work();
  });
}

// A same-path retry (io.path set) goes back to its path; everything else is routed again.
void NamespaceHead::delayed_work() {
  TimePoint now = timers_.now();
  std::vector<IoRequest*> due;
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    due.push_back(delayed_.begin()->second);
    delayed_.erase(delayed_.begin());
  }
  for (IoRequest* io : due) {
    if (io->path != nullptr)
      send_on(*io->path, *io);
    else
      route(*io);
  }
  arm_delayed_timer();
}

// ---- notifications from controllers ---------------------------------------------------------

// nvme_mpath_set_live: the head disk goes live on the first live path, the stack's rules
// update their state (Linux ends a pending delayed removal, dm reinstates the path as multipathd
// follows the kernel's path state), caches are refreshed, the requeue list is kicked.
void NamespaceHead::on_path_live(Path& p) {
  disk_live_ = true;
  removed_ = false;
  rules_->on_path_live(p);
  selector_->on_path_live(rules_->selectable(), p);
  kick_requeue();
}

void NamespaceHead::on_paths_changed() {
  selector_->on_paths_changed(rules_->selectable());
  rules_->on_paths_changed();
  kick_requeue();
}

}  // namespace mpsim::policies
