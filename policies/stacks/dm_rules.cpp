// dm-multipath: fail_path / reinstate_path (dm-mpath.c), multipathd's path checker, and
// queueing without a path (queue_if_no_path, no_path_retry N checker intervals).
#include "policies/stacks/dm_rules.h"

#include "policies/namespace_head.h"

namespace mpsim::policies {

Disposition dm_disposition(const NvmeStatus& status) {
  if (status.ok()) return Disposition::Complete;
  if (is_path_error(status.code)) return Disposition::FailPath;
  return Disposition::Fail;
}

DmRules::DmRules(NamespaceHead& head) : StackRules(head) {
  failed_.assign(paths().size(), false);
  rebuild_valid();
}

DmRules::~DmRules() {
  cancel_timer(checker_timer_);
  cancel_timer(no_path_timer_);
}

Disposition DmRules::disposition(const NvmeStatus& status, std::uint8_t /*retries*/) const {
  return dm_disposition(status);
}

void DmRules::on_path_added(Path& /*p*/) {
  failed_.push_back(false);
  rebuild_valid();
}

// Paths dm has failed sit on the selector's invalid list: the selector never sees them.
void DmRules::rebuild_valid() {
  valid_.clear();
  any_failed_ = false;
  for (Path* p : paths()) {
    if (failed_[p->index])
      any_failed_ = true;
    else
      valid_.push_back(p);
  }
  selectable_ = any_failed_ ? &valid_ : &paths();
}

bool DmRules::any_usable() const {
  for (const Path* p : paths())
    if (usable(*p)) return true;
  return false;
}

// fail_path: off the selector's valid list until reinstated; multipathd's checker runs every
// polling_interval while a path is failed.
void DmRules::fail_path(Path& p) {
  if (failed_[p.index]) return;
  failed_[p.index] = true;
  ++counters().dm_path_failures;
  rebuild_valid();
  selector().on_paths_changed(selectable());
  if (checker_timer_ == TimerService::kNoTimer)
    checker_timer_ = timers().schedule_after(config().dm_polling_interval, [this] {
      checker_timer_ = TimerService::kNoTimer;
      check_paths();
    });
  update_no_path_clock();
}

void DmRules::reinstate(Path& p) {
  failed_[p.index] = false;
  ++counters().dm_path_reinstates;
  rebuild_valid();
  selector().on_paths_changed(selectable());
}

// A path the kernel brings back stays failed in dm until multipathd's checker next looks at it
// (check_paths, every polling_interval while a path is failed): multipathd learns of a
// reconnected NVMe controller only by polling. Measured on the validation guest (0.9.4,
// polling 1 s): "Reinstating path" 0.25 s and 0.90 s after nvme's "Successfully reconnected",
// each at multipathd's next checker tick (validate/README.md, dm section).
void DmRules::on_path_live(Path& /*p*/) { update_no_path_clock(); }

// Checker "none" (the NVMe hwtable default) reports a path up whenever its device is usable.
void DmRules::check_paths() {
  bool reinstated = false;
  for (Path* p : paths()) {
    if (!failed_[p->index] || !path_usable(*p)) continue;
    reinstate(*p);
    selector().on_path_live(selectable(), *p);
    reinstated = true;
  }
  if (any_failed_)
    checker_timer_ = timers().schedule_after(config().dm_polling_interval, [this] {
      checker_timer_ = TimerService::kNoTimer;
      check_paths();
    });
  if (reinstated) {
    update_no_path_clock();
    kick_requeue();
  }
}

// no_path_retry N: keep queueing for N checker intervals after the last path went, then
// disable queueing until a path comes back.
void DmRules::update_no_path_clock() {
  if (any_usable()) {
    no_path_ = false;
    queueing_disabled_ = false;
    cancel_timer(no_path_timer_);
    return;
  }
  if (no_path_) return;
  no_path_ = true;
  bool bounded = !config().dm_queue_if_no_path && config().dm_no_path_retry > 0;
  if (!bounded) return;
  no_path_timer_ = timers().schedule_after(config().dm_no_path_retry * config().dm_polling_interval, [this] {
    no_path_timer_ = TimerService::kNoTimer;
    no_path_expired();
  });
}

void DmRules::no_path_expired() {
  queueing_disabled_ = true;
  kick_requeue();  // every queued I/O is routed again and, still without a path, fails
}

// queue_if_no_path or no_path_retry -1 queue forever; no_path_retry N until its clock runs out.
bool DmRules::queueing() const {
  bool queue_forever = config().dm_queue_if_no_path || config().dm_no_path_retry < 0;
  bool queue_bounded = config().dm_no_path_retry > 0 && !queueing_disabled_;
  return queue_forever || queue_bounded;
}

void DmRules::no_path(IoRequest& io) {
  if (queueing()) {
    update_no_path_clock();
    ++counters().requeue_no_usable_path;
    requeue(io);
    return;
  }
  ++counters().fail_no_available_path;
  fail(io, queueing_disabled_ ? FailReason::NoPathRetryExpired : FailReason::NoAvailablePath);
}

}  // namespace mpsim::policies
