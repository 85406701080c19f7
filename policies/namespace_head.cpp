// The I/O path of a namespace head: submission (nvme_ns_head_submit_bio), completion
// disposition (nvme_decide_disposition / nvme_failover_req / nvme_retry_req), the requeue list
// and delayed retries. What happens when no path is chosen is in namespace_head_nopath.cpp.
#include "policies/namespace_head.h"

#include <stdexcept>

#include "policies/disposition.h"

namespace mpsim::policies {
namespace {
constexpr TimePoint kNever = TimePoint::max();

bool ana_unreachable(AnaState s) { return s == AnaState::Inaccessible || s == AnaState::Change; }
}  // namespace

NamespaceHead::NamespaceHead(HeadConfig config, std::unique_ptr<PathSelector> selector, TimerService& timers,
                             IoCompletionSink& sink)
    : config_(std::move(config)), selector_(std::move(selector)), timers_(timers), sink_(sink) {
  if (!selector_) throw std::invalid_argument("NamespaceHead " + config_.name + ": no path selector");
}

NamespaceHead::~NamespaceHead() {
  for (TimerId* t : {&delayed_timer_, &requeue_timer_, &removal_timer_, &dm_checker_timer_, &dm_no_path_timer_})
    cancel_timer(*t);
}

void NamespaceHead::cancel_timer(TimerId& id) {
  if (id != TimerService::kNoTimer) timers_.cancel(id);
  id = TimerService::kNoTimer;
}

Path& NamespaceHead::add_path(Controller& ctrl, std::uint32_t ana_grpid, AnaState initial) {
  owned_.push_back(std::make_unique<Path>(ctrl, *this, list_.size(), ana_grpid, initial));
  Path& p = *owned_.back();
  list_.push_back(&p);
  dm_failed_.push_back(false);
  spdk_ana_since_.push_back(ana_unreachable(initial) ? timers_.now() : kNever);
  dm_rebuild_selectable();
  selector_->on_paths_changed(selectable_paths());
  ctrl.attach(p);  // goes live at once if the controller already is
  return p;
}

std::size_t NamespaceHead::inflight() const { return inflight_; }

void NamespaceHead::set_selector(std::unique_ptr<PathSelector> s, Stack stack) {
  if (!s) throw std::invalid_argument("NamespaceHead " + config_.name + ": no path selector");
  selector_ = std::move(s);
  config_.stack = stack;
  selector_->on_paths_changed(selectable_paths());
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
  no_path(io);
}

Path* NamespaceHead::find_path(const IoRequest& io) {
  const PathList& paths = selectable_paths();
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
  bool same_path_retry = config_.stack != Stack::Spdk && io.retries > 0;
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

void NamespaceHead::dispose(IoRequest& io, Path& p, NvmeStatus status) {
  bool spdk = config_.stack == Stack::Spdk;
  DispositionInput in{config_.stack, status, io.retries, spdk ? config_.spdk_bdev_retry_count : config_.max_retries};
  io.path = &p;
  Disposition d = decide_disposition(in);
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
      dm_fail_path(p);
      failover(io, p, status);
      return;
    case Disposition::Failover:
      failover(io, p, status);
      return;
  }
}

// nvme_failover_req: refresh the selector, count, ANA-pending + log re-read for ANA statuses,
// back to the requeue list and kick it. The bio becomes a new request: retries start over.
void NamespaceHead::failover(IoRequest& io, Path& p, NvmeStatus status) {
  selector_->on_path_failed(p);
  ++p.counters.failovers;
  ++counters_.failovers;
  ++io.failovers;
  bool spdk = config_.stack == Stack::Spdk;
  if (is_ana_error(status.code) && config_.stack != Stack::DmMultipath) p.ctrl->on_ana_error(p);
  if (spdk && !spdk_may_recover()) {  // bdev_nvme: nothing may come back, complete with the error
    finish_error(io, status, FailReason::ErrorStatus);
    return;
  }
  if (!spdk) io.retries = 0;  // SPDK's retry_count lives in the bdev_io and survives
  io.path = nullptr;
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

// nvme_mpath_set_live: the head disk goes live on the first live path, caches are refreshed,
// the requeue list is kicked. A returning path also ends a pending delayed removal and, under
// dm, reinstates the path (multipathd follows the kernel's path state).
void NamespaceHead::on_path_live(Path& p) {
  disk_live_ = true;
  removed_ = false;
  if (removal_pending_) {
    removal_pending_ = false;
    cancel_timer(removal_timer_);
  }
  if (dm_failed_[p.index]) dm_reinstate(p);
  spdk_track_ana();
  selector_->on_path_live(selectable_paths(), p);
  if (config_.stack == Stack::DmMultipath) dm_update_no_path_clock();
  kick_requeue();
}

void NamespaceHead::on_paths_changed() {
  selector_->on_paths_changed(selectable_paths());
  spdk_track_ana();
  if (config_.stack == Stack::DmMultipath) dm_update_no_path_clock();
  check_last_path_removed();
  kick_requeue();
}

// SPDK's per-namespace ANATT clock starts when a path is seen inaccessible or in change.
void NamespaceHead::spdk_track_ana() {
  TimePoint now = timers_.now();
  for (const Path* p : list_) {
    TimePoint& since = spdk_ana_since_[p->index];
    if (!ana_unreachable(p->ana_state))
      since = kNever;
    else if (since == kNever)
      since = now;
  }
}

// Paths dm has failed sit on the selector's invalid list: the selector never sees them.
const PathList& NamespaceHead::selectable_paths() const {
  return config_.stack == Stack::DmMultipath && dm_any_failed_ ? dm_selectable_ : list_;
}

}  // namespace mpsim::policies
