// What a head does when no path is chosen, per stack: Linux queues while a controller may come
// back (nvme_available_path) and handles the last path's removal (delayed_removal_secs); dm
// fails paths, reinstates them from its checker and queues per queue_if_no_path/no_path_retry;
// SPDK retries every second while a path may recover, bounded by ANATT for ANA transitions.
#include "policies/namespace_head.h"

namespace mpsim::policies {
namespace {
constexpr TimePoint kNever = TimePoint::max();
constexpr Duration kSpdkNoPathRetryDelay = std::chrono::seconds(1);  // bdev_nvme -ENXIO retry

bool reconnecting(const Controller& c) {
  return c.state() == ControllerState::Resetting || c.state() == ControllerState::Connecting;
}
}  // namespace

void NamespaceHead::no_path(IoRequest& io) {
  switch (config_.stack) {
    case Stack::DmMultipath: dm_no_path(io); return;
    case Stack::Spdk: spdk_no_path(io); return;
    case Stack::LinuxNative:
    case Stack::Research: break;
  }
  linux_no_path(io);
}

// ---- Linux native ----------------------------------------------------------------------------

// nvme_available_path: the head disk is live and some controller is LIVE or trying to come
// back without failfast having expired; or the head is in delayed removal.
bool NamespaceHead::available_path() const {
  if (!disk_live_) return false;
  if (removal_pending_) return true;
  for (const Path* p : list_) {
    if (p->removed || p->ctrl->failfast_expired()) continue;
    if (p->ctrl->state() == ControllerState::Live || reconnecting(*p->ctrl)) return true;
  }
  return false;
}

void NamespaceHead::linux_no_path(IoRequest& io) {
  if (available_path()) {
    ++counters_.requeue_no_usable_path;  // "no usable path - requeuing I/O"
    requeue(io);
    return;
  }
  ++counters_.fail_no_available_path;  // "no available path - failing I/O"
  finish_error(io, NvmeStatus{}, linux_fail_reason());
}

FailReason NamespaceHead::linux_fail_reason() const {
  for (const Path* p : list_)
    if (!p->removed && p->ctrl->failfast_expired()) return FailReason::FailfastExpired;
  return FailReason::NoAvailablePath;
}

bool NamespaceHead::all_paths_removed() const {
  for (const Path* p : list_)
    if (!p->removed) return false;
  return true;
}

// nvme_mpath_remove_disk / nvme_mpath_shutdown_disk: with delayed_removal_secs the head stays
// and queues (QUEUE_IF_NO_PATH) until the period ends; without it the head disk goes away and
// whatever was queued fails.
void NamespaceHead::check_last_path_removed() {
  if (list_.empty() || !all_paths_removed() || !disk_live_ || removal_pending_) return;
  if (config_.stack == Stack::DmMultipath || config_.stack == Stack::Spdk) return;
  if (config_.delayed_removal > Duration(0)) {
    removal_pending_ = true;
    removal_timer_ = timers_.schedule_after(config_.delayed_removal, [this] {
      removal_timer_ = TimerService::kNoTimer;
      removal_expired();
    });
    return;
  }
  disk_live_ = false;
}

void NamespaceHead::removal_expired() {
  removal_pending_ = false;
  removed_ = true;
  disk_live_ = false;
  kick_requeue();  // queued I/O now fails with HeadRemoved
}

// ---- dm-multipath ----------------------------------------------------------------------------

bool NamespaceHead::dm_usable(const Path& p) const { return path_usable(p) && !dm_failed_[p.index]; }

bool NamespaceHead::any_dm_usable() const {
  for (const Path* p : list_)
    if (dm_usable(*p)) return true;
  return false;
}

void NamespaceHead::dm_rebuild_selectable() {
  dm_selectable_.clear();
  dm_any_failed_ = false;
  for (Path* p : list_) {
    if (dm_failed_[p->index])
      dm_any_failed_ = true;
    else
      dm_selectable_.push_back(p);
  }
}

// dm fail_path: off the selector's valid list until reinstated; multipathd's checker runs
// every polling_interval while a path is failed.
void NamespaceHead::dm_fail_path(Path& p) {
  if (dm_failed_[p.index]) return;
  dm_failed_[p.index] = true;
  ++counters_.dm_path_failures;
  dm_rebuild_selectable();
  selector_->on_paths_changed(selectable_paths());
  if (dm_checker_timer_ == TimerService::kNoTimer)
    dm_checker_timer_ = timers_.schedule_after(config_.dm_polling_interval, [this] {
      dm_checker_timer_ = TimerService::kNoTimer;
      dm_check_paths();
    });
  dm_update_no_path_clock();
}

void NamespaceHead::dm_reinstate(Path& p) {
  dm_failed_[p.index] = false;
  ++counters_.dm_path_reinstates;
  dm_rebuild_selectable();
  selector_->on_paths_changed(selectable_paths());
}

// Checker "none" (the NVMe hwtable default) reports a path up whenever its device is usable.
void NamespaceHead::dm_check_paths() {
  bool reinstated = false;
  for (Path* p : list_) {
    if (!dm_failed_[p->index] || !path_usable(*p)) continue;
    dm_reinstate(*p);
    selector_->on_path_live(selectable_paths(), *p);
    reinstated = true;
  }
  if (dm_any_failed_)
    dm_checker_timer_ = timers_.schedule_after(config_.dm_polling_interval, [this] {
      dm_checker_timer_ = TimerService::kNoTimer;
      dm_check_paths();
    });
  if (reinstated) {
    dm_update_no_path_clock();
    kick_requeue();
  }
}

// no_path_retry N: keep queueing for N checker intervals after the last path went, then
// disable queueing until a path comes back.
void NamespaceHead::dm_update_no_path_clock() {
  if (any_dm_usable()) {
    dm_no_path_ = false;
    dm_queueing_disabled_ = false;
    cancel_timer(dm_no_path_timer_);
    return;
  }
  if (dm_no_path_) return;
  dm_no_path_ = true;
  bool bounded = !config_.dm_queue_if_no_path && config_.dm_no_path_retry > 0;
  if (!bounded) return;
  dm_no_path_timer_ = timers_.schedule_after(config_.dm_no_path_retry * config_.dm_polling_interval, [this] {
    dm_no_path_timer_ = TimerService::kNoTimer;
    dm_no_path_expired();
  });
}

void NamespaceHead::dm_no_path_expired() {
  dm_queueing_disabled_ = true;
  kick_requeue();  // every queued I/O is routed again and, still without a path, fails
}

void NamespaceHead::dm_no_path(IoRequest& io) {
  bool queue_forever = config_.dm_queue_if_no_path || config_.dm_no_path_retry < 0;
  bool queue_bounded = config_.dm_no_path_retry > 0 && !dm_queueing_disabled_;
  if (queue_forever || queue_bounded) {
    dm_update_no_path_clock();
    ++counters_.requeue_no_usable_path;
    requeue(io);
    return;
  }
  ++counters_.fail_no_available_path;
  finish_error(io, NvmeStatus{}, dm_queueing_disabled_ ? FailReason::NoPathRetryExpired : FailReason::NoAvailablePath);
}

// ---- SPDK ------------------------------------------------------------------------------------

bool NamespaceHead::spdk_ana_timed_out(const Path& p) const {
  TimePoint since = spdk_ana_since_[p.index];
  return since != kNever && timers_.now() - since >= p.ctrl->config().anatt;
}

// any_io_path_may_become_available: a path not timed out in an ANA transition whose controller
// is connected or still reconnecting (not failed, fast_io_fail not expired).
bool NamespaceHead::spdk_may_recover() const {
  for (const Path* p : list_) {
    if (p->removed || spdk_ana_timed_out(*p)) continue;
    const Controller& c = *p->ctrl;
    if (c.state() == ControllerState::Live || (reconnecting(c) && !c.failfast_expired())) return true;
  }
  return false;
}

void NamespaceHead::spdk_no_path(IoRequest& io) {
  if (spdk_may_recover()) {
    ++counters_.requeue_no_usable_path;
    retry_later(io, kSpdkNoPathRetryDelay);
    return;
  }
  bool ana_timeout = false;
  for (const Path* p : list_) ana_timeout = ana_timeout || (!p->removed && spdk_ana_timed_out(*p));
  ++counters_.fail_no_available_path;
  finish_error(io, NvmeStatus{}, ana_timeout ? FailReason::NoPathRetryExpired : FailReason::NoAvailablePath);
}

}  // namespace mpsim::policies
