// SPDK bdev_nvme: completion disposition (bdev_nvme_io_complete_nvme_status), the 1 s no-path
// retry while a path may recover (any_io_path_may_become_available) and the per-path ANATT clock.
#include "policies/stacks/spdk_rules.h"

#include "policies/controller.h"
#include "policies/namespace_head.h"

namespace mpsim::policies {
namespace {
constexpr TimePoint kNever = TimePoint::max();
constexpr Duration kNoPathRetryDelay = std::chrono::seconds(1);  // bdev_nvme -ENXIO retry

bool ana_unreachable(AnaState s) { return s == AnaState::Inaccessible || s == AnaState::Change; }
}  // namespace

Disposition spdk_disposition(const NvmeStatus& status, std::uint8_t retries, std::uint8_t bdev_retry_count) {
  if (status.ok()) return Disposition::Complete;
  if (status.dnr || retries >= bdev_retry_count) return Disposition::Fail;
  if (is_path_error(status.code)) return Disposition::Failover;
  return Disposition::RetryReselect;
}

SpdkRules::SpdkRules(NamespaceHead& head) : StackRules(head) {
  for (Path* p : paths()) on_path_added(*p);
}

Disposition SpdkRules::disposition(const NvmeStatus& status, std::uint8_t retries) const {
  return spdk_disposition(status, retries, config().spdk_bdev_retry_count);
}

void SpdkRules::on_path_added(Path& p) {
  ana_since_.push_back(ana_unreachable(p.ana_state) ? timers().now() : kNever);
}

// The clock starts when a path is seen inaccessible or in change, and stops when it is not.
void SpdkRules::track_ana() {
  TimePoint now = timers().now();
  for (const Path* p : paths()) {
    TimePoint& since = ana_since_[p->index];
    if (!ana_unreachable(p->ana_state))
      since = kNever;
    else if (since == kNever)
      since = now;
  }
}

bool SpdkRules::ana_timed_out(const Path& p) const {
  TimePoint since = ana_since_[p.index];
  return since != kNever && timers().now() - since >= p.ctrl->config().anatt;
}

// any_io_path_may_become_available: a path not timed out in an ANA transition whose controller
// is connected or still reconnecting (not failed, fast_io_fail not expired).
bool SpdkRules::may_recover() const {
  for (const Path* p : paths()) {
    if (p->removed || ana_timed_out(*p)) continue;
    const Controller& c = *p->ctrl;
    if (c.state() == ControllerState::Live || (reconnecting(c) && !c.failfast_expired())) return true;
  }
  return false;
}

void SpdkRules::no_path(IoRequest& io) {
  if (may_recover()) {
    ++counters().requeue_no_usable_path;
    retry_later(io, kNoPathRetryDelay);
    return;
  }
  bool ana_timeout = false;
  for (const Path* p : paths()) ana_timeout = ana_timeout || (!p->removed && ana_timed_out(*p));
  ++counters().fail_no_available_path;
  fail(io, ana_timeout ? FailReason::NoPathRetryExpired : FailReason::NoAvailablePath);
}

}  // namespace mpsim::policies
