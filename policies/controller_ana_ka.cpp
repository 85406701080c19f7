// Keep-alive (core.c nvme_keep_alive_work / nvme_keep_alive_end_io) and ANA log handling
// (multipath.c nvme_update_ana_state, nvme_ana_work, nvme_anatt_timeout).
#include <algorithm>

#include "policies/controller.h"
#include "policies/namespace_head.h"

namespace mpsim::policies {

// ---- keep-alive ------------------------------------------------------------------------------

// nvme_keep_alive_work_period: kato/2, or kato/4 with TBKAS because one completion can postpone
// the command by up to two periods.
Duration Controller::keep_alive_period() const {
  return config_.tbkas ? config_.kato / 4 : config_.kato / 2;
}

// The first check is timed from the moment the controller goes live (ka_last_check_time).
void Controller::start_keep_alive() {
  if (config_.kato <= Duration(0)) return;
  comp_seen_ = false;
  cancel_timer(ka_timer_);
  ka_timer_ = timers_.schedule_after(keep_alive_period(), [this] {
    ka_timer_ = TimerService::kNoTimer;
    keep_alive_work();
  });
}

void Controller::stop_keep_alive() {
  cancel_timer(ka_timer_);
  cancel_timer(ka_timeout_timer_);
  ka_outstanding_ = false;
}

// Sends one keep-alive whose own timeout is kato; the next check is scheduled only when it
// completes, so at most one is outstanding. A silent loss right after a completed exchange is
// therefore seen period + kato later, a loss just before a send kato later: [kato, 1.5 kato].
void Controller::keep_alive_work() {
  if (state_ != ControllerState::Live) return;
  if (config_.tbkas && comp_seen_) {
    comp_seen_ = false;  // traffic proved the link: skip this keep-alive
    ka_timer_ = timers_.schedule_after(keep_alive_period(), [this] {
      ka_timer_ = TimerService::kNoTimer;
      keep_alive_work();
    });
    return;
  }
  ka_outstanding_ = true;
  ka_sent_ = timers_.now();
  ++counters_.keep_alives_sent;
  ka_timeout_timer_ = timers_.schedule_after(config_.kato, [this] {
    ka_timeout_timer_ = TimerService::kNoTimer;
    keep_alive_expired();
  });
  transport_.send_keep_alive(*this);
}

// nvme_keep_alive_end_io: the RTT is subtracted so checks keep their period.
void Controller::on_keep_alive_done() {
  if (state_ != ControllerState::Live || !ka_outstanding_) return;
  ka_outstanding_ = false;
  cancel_timer(ka_timeout_timer_);
  Duration rtt = timers_.now() - ka_sent_;
  Duration delay = std::max(Duration(0), keep_alive_period() - rtt);
  comp_seen_ = false;
  ka_timer_ = timers_.schedule_after(delay, [this] {
    ka_timer_ = TimerService::kNoTimer;
    keep_alive_work();
  });
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
// pushes it to 2 x ANATT from now, none in CHANGE deletes it.
void Controller::update_anatt_timer(const AnaLog& log) {
  bool any_change = std::any_of(log.begin(), log.end(),
                                [](const AnaGroupDescriptor& d) { return d.state == AnaState::Change; });
  cancel_timer(anatt_timer_);
  if (!any_change) return;
  anatt_timer_ = timers_.schedule_after(2 * config_.anatt, [this] {
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
