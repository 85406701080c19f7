// dm-multipath: fail_path / reinstate_path / queue_if_no_path (dm-mpath.c), driven by
// multipathd's checker loop and dm-event waiter (stacks/dm_multipathd.h).
#include "policies/stacks/dm_rules.h"

#include "policies/namespace_head.h"

namespace mpsim::policies {
namespace {

constexpr Duration kCheckerLoop = std::chrono::seconds(1);  // checkerloop: sleep(1)
constexpr Duration kWaiterSleep = std::chrono::seconds(1);  // wait_dmevents: sleep(1) after events

// floor(a / b) for b > 0, also for a < 0.
std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && (a < 0)); }

std::uint32_t whole_seconds(Duration d) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  return s < 1 ? 1u : std::uint32_t(s);
}

}  // namespace

TimePoint next_checker_tick(TimePoint now, Duration phase) {
  const std::int64_t k = floor_div((now - phase).count(), kCheckerLoop.count()) + 1;
  return phase + k * kCheckerLoop;
}

bool checker_tick_checks_paths(TimePoint tick, Duration phase, std::uint32_t polling_interval_s) {
  const std::int64_t k = floor_div((tick - phase).count(), kCheckerLoop.count());
  const auto p = std::int64_t(polling_interval_s < 1 ? 1 : polling_interval_s);
  return ((k % p) + p) % p == 0;
}

Disposition dm_disposition(const NvmeStatus& status) {
  if (status.ok()) return Disposition::Complete;
  if (is_path_error(status.code)) return Disposition::FailPath;
  return Disposition::Fail;
}

// The map starts with queue_if_no_path when no_path_retry is queue or N (multipathd's features).
DmRules::DmRules(NamespaceHead& head)
    : StackRules(head),
      queue_if_no_path_(config().dm_queue_if_no_path || config().dm_no_path_retry != 0),
      daemon_(config().dm_queue_if_no_path ? 0 : config().dm_no_path_retry, whole_seconds(config().dm_polling_interval)) {
  failed_.assign(paths().size(), false);
  rebuild_valid();
  for (const Path* p : paths()) join_map(*p);
  arm_checker();
}

DmRules::~DmRules() {
  cancel_timer(checker_timer_);
  cancel_timer(waiter_timer_);
}

Disposition DmRules::disposition(const NvmeStatus& status, std::uint8_t /*retries*/) const {
  return dm_disposition(status);
}

// multipathd builds its map from the devices it found up: a path joins when first usable.
void DmRules::join_map(const Path& p) {
  if (!daemon_.in_map(p.index) && path_usable(p)) daemon_.add_path(p.index, true);
}

void DmRules::on_path_added(Path& p) {
  failed_.push_back(false);
  rebuild_valid();
  join_map(p);
}

// A path the kernel brings back stays failed in dm until multipathd's checker next looks at it:
// multipathd learns of a reconnected NVMe controller only by polling. Measured on the validation
// guest (0.9.4, polling 1 s): "Reinstating path" 0.25 s and 0.90 s after nvme's "Successfully
// reconnected", each at multipathd's next checker tick (validate/README.md, dm section).
void DmRules::on_path_live(Path& p) {
  join_map(p);
  arm_checker();
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

// fail_path (an I/O's path error, or multipathd's "checker failed path"): off the selector's
// valid list until reinstated; the map's event goes to multipathd's waiter.
void DmRules::fail_path(Path& p) {
  if (failed_[p.index]) return;
  failed_[p.index] = true;
  ++counters().dm_path_failures;
  rebuild_valid();
  selector().on_paths_changed(selectable());
  raise_dm_event();
  arm_checker();
}

void DmRules::dm_reinstate_path(std::size_t path) {
  if (!failed_[path]) return;  // reinstating an active pgpath does nothing
  Path& p = *paths()[path];
  failed_[path] = false;
  ++counters().dm_path_reinstates;
  rebuild_valid();
  selector().on_paths_changed(selectable());
  selector().on_path_live(selectable(), p);
  kick_requeue();
  raise_dm_event();
}

// "fail_if_no_path": the queued I/O is routed again and, still without a path, fails.
void DmRules::dm_queue_if_no_path(bool queue) {
  queue_if_no_path_ = queue;
  if (!queue) kick_requeue();
}

void DmRules::no_path(IoRequest& io) {
  if (queue_if_no_path_) {
    ++counters().requeue_no_usable_path;
    requeue(io);
    return;
  }
  ++counters().fail_no_available_path;
  fail(io, config().dm_no_path_retry > 0 ? FailReason::NoPathRetryExpired : FailReason::NoAvailablePath);
}

// The waiter handles an event at once when it is waiting in poll(), else when its sleep ends.
void DmRules::raise_dm_event() {
  event_pending_ = true;
  if (waiter_timer_ == TimerService::kNoTimer)
    waiter_timer_ = timers().schedule_after(Duration(0), [this] { waiter_wakes(); });
}

void DmRules::waiter_wakes() {
  waiter_timer_ = TimerService::kNoTimer;
  if (!event_pending_) return;  // back in poll() until the next event
  event_pending_ = false;
  daemon_.on_dm_event(*this);
  waiter_timer_ = timers().schedule_after(kWaiterSleep, [this] { waiter_wakes(); });
  arm_checker();
}

// The loop runs for ever in multipathd; here its ticks are scheduled only while one would
// change something (a tick with nothing to do is skipped, its phase kept).
void DmRules::arm_checker() {
  if (checker_timer_ != TimerService::kNoTimer) return;
  if (daemon_.settled([this](std::size_t i) { return checker_up(i); }, *this)) return;
  const TimePoint now = timers().now();
  checker_timer_ = timers().schedule_after(next_checker_tick(now, config().dm_checker_phase) - now, [this] {
    checker_timer_ = TimerService::kNoTimer;
    checker_tick();
  });
}

// checkerloop: the paths due are checked in list order, then the recovery count ticks.
void DmRules::checker_tick() {
  if (checker_tick_checks_paths(timers().now(), config().dm_checker_phase, whole_seconds(config().dm_polling_interval)))
    for (const Path* p : paths()) daemon_.check_path(p->index, checker_up(p->index), *this);
  daemon_.retry_count_tick(*this);
  arm_checker();
}

}  // namespace mpsim::policies
