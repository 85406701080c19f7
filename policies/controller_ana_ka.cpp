// Keep-alive (core.c nvme_keep_alive_work / nvme_keep_alive_end_io) and ANA log handling
// (multipath.c nvme_update_ana_state, nvme_ana_work, nvme_anatt_timeout).
#include <algorithm>

#include "policies/controller.h"
#include "policies/namespace_head.h"

namespace mpsim::policies {

// ---- keep-alive ------------------------------------------------------------------------------

std::int64_t blk_timeout_pad_jiffies(std::uint32_t hz) {
  std::int64_t pad = 1;
  while (pad < std::int64_t(hz)) pad *= 2;
  return pad;
}

// LVL_START(n) = 63 << 3(n-1): levels 0.. hold expiries up to 63, 504, 4032, ... jiffies away,
// in buckets of 1, 8, 64, ... jiffies.
std::int64_t timer_wheel_bucket_jiffies(std::int64_t delta) {
  std::int64_t bucket = 1;
  for (std::int64_t start = 63; delta >= start && bucket < (std::int64_t(1) << 21); start <<= 3) bucket <<= 3;
  return bucket;
}

// nvme_keep_alive_work_period: kato/2, or kato/4 with TBKAS because one completion can postpone
// the command by up to two periods.
Duration Controller::keep_alive_period() const {
  return config_.tbkas ? config_.kato / 4 : config_.kato / 2;
}

// nvme_start_keep_alive -> nvme_queue_keep_alive_work: the next check is one period after the
// last one (at once if that has passed: a reconnect checks straight away). comp_seen is kept.
void Controller::start_keep_alive() {
  if (config_.kato <= Duration(0)) return;
  // Written as a difference of times: last check + period can pass the clock's range for a huge kato.
  const Duration since_check = timers_.now() - ka_last_check_;
  queue_keep_alive_work(since_check >= keep_alive_period() ? Duration(0) : keep_alive_period() - since_check);
}

void Controller::stop_keep_alive() {
  cancel_timer(ka_timer_);
  cancel_timer(admin_q_timer_);  // the admin queue goes with the teardown
  ka_outstanding_ = false;
}

void Controller::queue_keep_alive_work(Duration delay) {
  cancel_timer(ka_timer_);
  ka_timer_ = timers_.schedule_after(delay, [this] {
    ka_timer_ = TimerService::kNoTimer;
    keep_alive_work();
  });
}

// nvme_keep_alive_work: with TBKAS, a completion since the last check proves the link and the
// command is skipped. The next check is queued by the skip or by the keep-alive's answer, so at
// most one keep-alive is outstanding and a lost one stops the checks.
void Controller::keep_alive_work() {
  if (state_ != ControllerState::Live) return;
  const bool comp_seen = comp_seen_;
  ka_last_check_ = timers_.now();
  if (config_.tbkas && comp_seen) {
    comp_seen_ = false;
    queue_keep_alive_work(keep_alive_period());
    return;
  }
  send_keep_alive();
}

// rq->timeout = kato: the request times out kato after it starts, as the block layer sees it.
void Controller::send_keep_alive() {
  ka_outstanding_ = true;
  ka_sent_ = timers_.now();
  ++counters_.keep_alives_sent;
  add_keep_alive_timer();
  transport_.send_keep_alive(*this);
}

// nvme_keep_alive_end_io: the RTT is subtracted so checks keep their period.
void Controller::on_keep_alive_done() {
  if (state_ != ControllerState::Live || !ka_outstanding_) return;
  ka_outstanding_ = false;  // the queue timer stays armed, as q->timeout does
  const TimePoint now = timers_.now();
  ka_last_check_ = now;
  comp_seen_ = false;
  queue_keep_alive_work(std::max(Duration(0), keep_alive_period() - (now - ka_sent_)));
}

// nvme_complete_rq: only commands sent since the last check count, so a long-running command
// that completes late cannot postpone the keep-alive.
void Controller::note_completion(const IoRequest& io) {
  if (jiffies(io.dispatched) >= jiffies(ka_last_check_)) comp_seen_ = true;
}

// floor(t * hz / 1e9), split into whole seconds and the rest so no product passes 64 bits
// (t * hz overflows after 106 days at HZ=1000).
std::int64_t Controller::jiffies(TimePoint t) const {
  const std::int64_t hz = config_.request_timer.hz;
  if (hz == 0) return t.count();
  constexpr std::int64_t kNsPerS = 1'000'000'000;
  const std::int64_t s = t.count() / kNsPerS, rest = t.count() % kNsPerS;
  return s * hz + rest * hz / kNsPerS;
}

// The first instant at which jiffies() reads j: ceil(j * 1e9 / hz), split the same way.
TimePoint Controller::jiffies_to_time(std::int64_t j) const {
  const std::int64_t hz = config_.request_timer.hz;
  if (hz == 0) return TimePoint(j);
  constexpr std::int64_t kNsPerS = 1'000'000'000;
  const std::int64_t s = j / hz, rest = j % hz;
  return TimePoint(s * kNsPerS + (rest * kNsPerS + hz - 1) / hz);
}

Duration Controller::wheel_delay(std::int64_t delta_j) const {
  if (config_.request_timer.hz == 0) return Duration(delta_j);
  const std::int64_t bucket = timer_wheel_bucket_jiffies(delta_j);
  const std::int64_t fire_j = (jiffies(timers_.now()) + delta_j + bucket) / bucket * bucket;
  return std::max(Duration(0), jiffies_to_time(fire_j) - timers_.now());
}

// blk_add_timer: deadline = start + kato; a queue timer that is idle, or due at least HZ/2 later
// than the padded expiry, is (re)armed for deadline + roundup_pow_of_two(HZ). An earlier pending
// timer is left alone: when it fires, the timeout work re-arms it for the exact deadline.
void Controller::add_keep_alive_timer() {
  const RequestTimerConfig& rt = config_.request_timer;
  const std::int64_t now_j = jiffies(ka_sent_);
  ka_deadline_j_ = jiffies(ka_sent_ + config_.kato);
  if (rt.hz == 0) {
    arm_admin_queue_timer(ka_deadline_j_, 1);
    return;
  }
  const std::int64_t expires = ka_deadline_j_ + blk_timeout_pad_jiffies(rt.hz);
  const bool pending = admin_q_timer_ != TimerService::kNoTimer;
  if (pending && !(expires < admin_q_expires_j_ && admin_q_expires_j_ - expires >= std::int64_t(rt.hz / 2))) return;
  const std::int64_t bucket =
      std::max(timer_wheel_bucket_jiffies(expires - now_j), std::int64_t(rt.fresh_min_bucket_jiffies));
  arm_admin_queue_timer(expires, bucket);
}

// The wheel runs a timer at the end of its bucket: (expires + bucket) rounded down to a multiple
// of the bucket (calc_index rounds up by a whole bucket so that nothing fires early).
void Controller::arm_admin_queue_timer(std::int64_t expires_j, std::int64_t bucket_j) {
  cancel_timer(admin_q_timer_);
  admin_q_expires_j_ = expires_j;
  const bool exact = config_.request_timer.hz == 0;
  const std::int64_t fire_j = exact ? expires_j : (expires_j + bucket_j) / bucket_j * bucket_j;
  const Duration delay = std::max(Duration(0), jiffies_to_time(fire_j) - timers_.now());
  admin_q_timer_ = timers_.schedule_after(delay, [this] {
    admin_q_timer_ = TimerService::kNoTimer;
    admin_queue_timeout_work();
  });
}

// blk_mq_timeout_work on the admin queue: an expired keep-alive goes to the transport's timeout
// handler; one still running re-arms the timer for its exact deadline; nothing in flight lets the
// timer go idle.
void Controller::admin_queue_timeout_work() {
  if (!ka_outstanding_) return;
  const std::int64_t now_j = jiffies(timers_.now());
  if (now_j >= ka_deadline_j_) {
    keep_alive_expired();
    return;
  }
  arm_admin_queue_timer(ka_deadline_j_, timer_wheel_bucket_jiffies(ka_deadline_j_ - now_j));
}

// The keep-alive request timed out: nvme_tcp_timeout on a LIVE controller -> error recovery.
void Controller::keep_alive_expired() {
  ka_outstanding_ = false;
  if (state_ != ControllerState::Live) return;
  ++counters_.keep_alive_timeouts;
  error_recovery("keep-alive timeout");
}

// ---- ANA -------------------------------------------------------------------------------------

void Controller::on_ana_change_notice() { request_ana_log(); }

// nvme_failover_req with an ANA status: the path is disabled until the log says otherwise.
void Controller::on_ana_error(Path& p) {
  if (!config_.ana_supported) return;
  p.ana_pending = true;
  request_ana_log();
}

// nvme_ana_work does nothing unless LIVE; queueing it while it runs makes it run once more.
void Controller::request_ana_log() {
  if (state_ != ControllerState::Live) return;
  if (ana_read_outstanding_) {
    ana_reread_ = true;
    return;
  }
  ana_read_outstanding_ = true;
  ++counters_.ana_log_reads;
  ana_read_timer_ = timers_.schedule_after(config_.admin_timeout, [this] {
    ana_read_timer_ = TimerService::kNoTimer;
    ana_read_expired();
  });
  transport_.read_ana_log(*this);
}

// An admin command timing out on a LIVE controller: nvme_tcp_timeout -> error recovery.
void Controller::ana_read_expired() {
  ana_read_outstanding_ = false;
  if (state_ != ControllerState::Live) return;
  ++counters_.admin_timeouts;
  error_recovery("ANA log read timeout");
}

void Controller::on_ana_log(const AnaLog& log) {
  cancel_timer(ana_read_timer_);
  ana_read_outstanding_ = false;
  if (state_ != ControllerState::Live) return;  // a reset overtook the read
  apply_ana_log(log);
  if (ana_reread_) {
    ana_reread_ = false;
    request_ana_log();
  }
}

// nvme_update_ana_state for every path of each listed group, then the ANATT timer, then the
// heads: caches refreshed for any change, set_live for paths that can carry I/O.
void Controller::apply_ana_log(const AnaLog& log) {
  std::vector<Path*> listed;
  bool changed = false;
  for (const AnaGroupDescriptor& d : log) {
    for (Path* p : paths_) {
      if (p->ana_grpid != d.grpid) continue;
      AnaState from = p->ana_state;
      p->ana_state = d.state;
      p->ana_pending = false;
      listed.push_back(p);
      if (from != d.state) {
        changed = true;
        if (observer_ != nullptr) observer_->on_ana_change(*p, from, d.state);
      }
    }
  }
  update_anatt_timer(log);
  if (changed || !listed.empty()) notify_paths_changed();
  if (state_ != ControllerState::Live) return;
  for (Path* p : listed)
    if (path_usable(*p)) p->head->on_path_live(*p);
  if (listed.empty()) set_live_paths();  // no group of ours listed: the paths keep their states
}

// One timer per controller for all groups (acknowledged in multipath.c): any group in CHANGE
// pushes it to 2 x ANATT from now, none in CHANGE deletes it. It is a plain kernel timer,
// mod_timer(&anatt_timer, anatt * HZ * 2 + jiffies), so the wheel runs it at the end of its
// bucket: 2 x 10 s at HZ 100 is 2000 jiffies, level 2 (64-jiffy buckets), 0.01-0.64 s late —
// the guest's ANATT resets came 0.4-0.6 s after 2 x ANATT; at HZ 250, 5000 jiffies, level 3
// (512-jiffy buckets), up to 2.05 s late.
void Controller::update_anatt_timer(const AnaLog& log) {
  bool any_change = std::any_of(log.begin(), log.end(),
                                [](const AnaGroupDescriptor& d) { return d.state == AnaState::Change; });
  cancel_timer(anatt_timer_);
  if (!any_change) return;
  const std::int64_t hz = config_.request_timer.hz;
  const std::int64_t anatt_s = std::chrono::duration_cast<std::chrono::seconds>(config_.anatt).count();
  const Duration delay = hz == 0 ? 2 * config_.anatt : wheel_delay(anatt_s * hz * 2);
  anatt_timer_ = timers_.schedule_after(delay, [this] {
    anatt_timer_ = TimerService::kNoTimer;
    anatt_expired();
  });
}

void Controller::anatt_expired() {
  if (state_ != ControllerState::Live) return;
  ++counters_.anatt_expiries;
  if (observer_ != nullptr) observer_->on_state_change(*this, state_, state_, "ANATT timeout, resetting controller");
  reset();
}

}  // namespace mpsim::policies
