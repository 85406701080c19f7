// multipathd's decisions for one map (multipath-tools 0.9.4; see dm_multipathd.h for the files).
#include "policies/stacks/dm_multipathd.h"

namespace mpsim::policies {

Multipathd::Multipathd(int no_path_retry, std::uint32_t polling_interval_s)
    : no_path_retry_(no_path_retry), polling_interval_s_(polling_interval_s) {}

void Multipathd::add_path(std::size_t path, bool up) {
  if (path >= in_map_.size()) {
    in_map_.resize(path + 1, false);
    up_.resize(path + 1, false);
  }
  in_map_[path] = true;
  up_[path] = up;
}

int Multipathd::active() const {
  int n = 0;
  for (std::size_t i = 0; i < in_map_.size(); ++i) n += in_map_[i] && up_[i];
  return n;
}

// set_no_path_retry, no_path_retry N: a path up ends recovery mode, none up starts it (no path
// is PATH_PENDING here: that is an NVMe controller in state "new" or "deleting").
void Multipathd::set_no_path_retry(DmTarget& dm) {
  if (!counts_retries()) return;  // queue / fail: the map's features already say it
  if (active() > 0)
    leave_recovery_mode(dm);
  else
    enter_recovery_mode();
}

// "Entering recovery mode: max_retries=N"; the +1 is multipath-tools' own (a loop may count
// down before the first retry).
void Multipathd::enter_recovery_mode() {
  if (in_recovery_ || !counts_retries()) return;
  in_recovery_ = true;
  retry_tick_ = no_path_retry_ * int(polling_interval_s_) + 1;
}

// "queue_if_no_path enabled", "Recovered to normal mode".
void Multipathd::leave_recovery_mode(DmTarget& dm) {
  const bool was = in_recovery_;
  in_recovery_ = false;
  retry_tick_ = 0;
  if (was && counts_retries()) dm.dm_queue_if_no_path(true);
}

void Multipathd::path_went_down() {
  if (active() == 0) enter_recovery_mode();
}

void Multipathd::reinstate(std::size_t path, DmTarget& dm) {
  dm.dm_reinstate_path(path);
  if (active() > 0) leave_recovery_mode(dm);  // update_queue_mode_add_path
}

// update_multipath: set_no_path_retry first (from the states before this event), then "mark as
// failed" every path the kernel failed; one that was up may start recovery mode.
void Multipathd::on_dm_event(DmTarget& dm) {
  set_no_path_retry(dm);
  for (std::size_t i = 0; i < in_map_.size(); ++i) {
    if (!in_map_[i] || !dm.dm_failed(i) || !up_[i]) continue;
    up_[i] = false;
    path_went_down();
  }
}

// check_path with checker "none": set_no_path_retry, then a changed state fails the path in dm
// ("checker failed path") or reinstates it; an unchanged up state reinstates a path dm failed
// ("Clear IO errors").
void Multipathd::check_path(std::size_t path, bool up, DmTarget& dm) {
  if (!in_map(path)) return;
  set_no_path_retry(dm);
  if (up != up_[path]) {
    const bool was_up = up_[path];
    up_[path] = up;
    if (!up) {
      dm.dm_fail_path(path);
      if (was_up) path_went_down();
    } else {
      reinstate(path, dm);
    }
  } else if (up && dm.dm_failed(path)) {
    reinstate(path, dm);
  }
}

// retry_count_tick: "Disable queueing" when the count reaches 0 (recovery mode stays on until a
// path comes back).
void Multipathd::retry_count_tick(DmTarget& dm) {
  if (retry_tick_ <= 0) return;
  if (--retry_tick_ == 0) dm.dm_queue_if_no_path(false);
}

}  // namespace mpsim::policies
