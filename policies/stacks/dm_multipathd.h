// multipathd's part in dm-multipath failover, for one map: which paths it believes up, and its
// recovery mode (no_path_retry N), the count that ends queueing. Source: multipath-tools 0.9.4
// (Debian 12, the validation guest's), multipathd/main.c (checkerloop, check_path, fail_path,
// reinstate_path, update_multipath, retry_count_tick) and libmultipath/structs_vec.c
// (set_no_path_retry, enter_recovery_mode, leave_recovery_mode, update_queue_mode_*_path).
//
// multipathd learns of a path's state two ways:
//  - its dm-event waiter (dmevents.c): the kernel failed a path in the map -> update_multipath
//    marks it down. After handling events the waiter sleeps 1 s (wait_dmevents: sleep(r), r = 1),
//    so an event during that sleep waits for its end.
//  - its checker loop (checkerloop): wakes every second (sleep(1)); each path is checked every
//    polling_interval loops (checker "none" for NVMe: up while the controller is live); then
//    retry_count_tick counts down the recovery mode.
// Recovery mode starts when multipathd sees no path up (retry_tick = N * polling_interval + 1
// loops: the "+1" because a loop may count down before the first retry); when the count reaches
// 0 it sends "fail_if_no_path" to the kernel. A path seen up again (reinstated) ends it and sends
// "queue_if_no_path". So no_path_retry N ends queueing N * polling_interval loops after the tick
// that saw the last path down, or N * polling_interval + 1 loops when the dm-event waiter saw it
// between ticks; a reinstatement at the tick that would end it comes first (the tick checks paths
// before it counts).
//
// Timers stay with the owner (stacks/dm_rules.*): this class only decides, and tells the kernel
// side what to do through DmTarget.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mpsim::policies {

// What multipathd does to the kernel's map (dm messages): the owner's dm state.
class DmTarget {
 public:
  virtual ~DmTarget() = default;
  virtual bool dm_failed(std::size_t path) const = 0;  // the kernel's pgpath is failed
  virtual void dm_fail_path(std::size_t path) = 0;
  virtual void dm_reinstate_path(std::size_t path) = 0;
  virtual void dm_queue_if_no_path(bool queue) = 0;
};

class Multipathd {
 public:
  // no_path_retry: N > 0 counts, anything else never enters recovery mode (queue, fail);
  // polling_interval in checker loops (whole seconds).
  Multipathd(int no_path_retry, std::uint32_t polling_interval_s);

  // A path the map gets (multipathd adds a path it found up); `up` = its checker state.
  void add_path(std::size_t path, bool up);
  bool in_map(std::size_t path) const { return path < in_map_.size() && in_map_[path]; }

  // The dm-event waiter handles an event (update_multipath(..., reset=1)): set_no_path_retry,
  // then every path the kernel failed that multipathd had up is marked down.
  void on_dm_event(DmTarget& dm);

  // The checker loop checks one path (check_path); `up` = what the checker finds.
  void check_path(std::size_t path, bool up, DmTarget& dm);
  // After the loop's path checks (retry_count_tick): may end queueing.
  void retry_count_tick(DmTarget& dm);

  // Whether a checker loop would change nothing while each path i is as `up(i)` says.
  template <class UpFn>
  bool settled(UpFn up, const DmTarget& dm) const {
    if (retry_tick_ > 0) return false;
    bool any_in_map = false;
    for (std::size_t i = 0; i < in_map_.size(); ++i) {
      if (!in_map_[i]) continue;
      any_in_map = true;
      const bool now_up = up(i);
      if (up_[i] != now_up || (now_up && dm.dm_failed(i))) return false;
    }
    if (!any_in_map) return true;
    return active() > 0 ? !in_recovery_ : (in_recovery_ || !counts_retries());
  }

  bool in_recovery() const { return in_recovery_; }
  int retry_tick() const { return retry_tick_; }
  int active() const;  // count_active_paths: paths in the map multipathd has up

 private:
  int no_path_retry_;
  std::uint32_t polling_interval_s_;
  std::vector<bool> in_map_;
  std::vector<bool> up_;  // pp->state: PATH_UP (true) or PATH_DOWN
  bool in_recovery_ = false;
  int retry_tick_ = 0;

  bool counts_retries() const { return no_path_retry_ > 0; }
  void set_no_path_retry(DmTarget& dm);
  void enter_recovery_mode();
  void leave_recovery_mode(DmTarget& dm);
  void path_went_down();  // update_queue_mode_del_path
  void reinstate(std::size_t path, DmTarget& dm);
};

}  // namespace mpsim::policies
