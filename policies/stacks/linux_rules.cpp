// Linux native multipath: completion disposition (nvme_decide_disposition), queueing while a
// controller may come back (nvme_available_path) and the last path's removal
// (nvme_mpath_remove_disk with delayed_removal_secs).
#include "policies/stacks/linux_rules.h"

#include "policies/controller.h"
#include "policies/namespace_head.h"

namespace mpsim::policies {

// The retry budget is checked before the path-error test, so a path error on a request that
// already spent max_retries same-path retries ends in error.
Disposition linux_disposition(const NvmeStatus& status, std::uint8_t retries, std::uint8_t max_retries) {
  if (status.ok()) return Disposition::Complete;
  if (status.dnr || retries >= max_retries) return Disposition::Fail;
  if (is_path_error(status.code)) return Disposition::Failover;
  return Disposition::RetrySamePath;
}

LinuxRules::~LinuxRules() { cancel_timer(removal_timer_); }

Disposition LinuxRules::disposition(const NvmeStatus& status, std::uint8_t retries) const {
  return linux_disposition(status, retries, config().max_retries);  // nvme_core.max_retries
}

// nvme_available_path: the head disk is live and some controller is LIVE or trying to come
// back without failfast having expired; or the head is in delayed removal.
bool LinuxRules::available_path() const {
  if (!disk_live()) return false;
  if (removal_pending_) return true;
  for (const Path* p : paths()) {
    if (p->removed || p->ctrl->failfast_expired()) continue;
    if (p->ctrl->state() == ControllerState::Live || reconnecting(*p->ctrl)) return true;
  }
  return false;
}

void LinuxRules::no_path(IoRequest& io) {
  if (available_path()) {
    ++counters().requeue_no_usable_path;  // "no usable path - requeuing I/O"
    requeue(io);
    return;
  }
  ++counters().fail_no_available_path;  // "no available path - failing I/O"
  fail(io, fail_reason());
}

FailReason LinuxRules::fail_reason() const {
  for (const Path* p : paths())
    if (!p->removed && p->ctrl->failfast_expired()) return FailReason::FailfastExpired;
  return FailReason::NoAvailablePath;
}

// A returning path ends a pending delayed removal.
void LinuxRules::on_path_live(Path& /*p*/) {
  if (!removal_pending_) return;
  removal_pending_ = false;
  cancel_timer(removal_timer_);
}

void LinuxRules::on_paths_changed() { check_last_path_removed(); }

bool LinuxRules::all_paths_removed() const {
  for (const Path* p : paths())
    if (!p->removed) return false;
  return true;
}

// nvme_mpath_remove_disk / nvme_mpath_shutdown_disk: with delayed_removal_secs the head stays
// and queues (QUEUE_IF_NO_PATH) until the period ends; without it the head disk goes away and
// whatever was queued fails.
void LinuxRules::check_last_path_removed() {
  if (paths().empty() || !all_paths_removed() || !disk_live() || removal_pending_) return;
  if (config().delayed_removal > Duration(0)) {
    removal_pending_ = true;
    removal_timer_ = timers().schedule_after(config().delayed_removal, [this] {
      removal_timer_ = TimerService::kNoTimer;
      removal_expired();
    });
    return;
  }
  set_disk_live(false);
}

void LinuxRules::removal_expired() {
  removal_pending_ = false;
  set_removed();
  kick_requeue();  // queued I/O now fails with HeadRemoved
}

}  // namespace mpsim::policies
