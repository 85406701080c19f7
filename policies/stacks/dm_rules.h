// dm-multipath over NVMe (drivers/md/dm-mpath.c with multipathd): the head's rules for the dm
// path selectors. The kernel side: dm fails a path on a path error and keeps it off the
// selector's list until multipathd reinstates it; without a valid path it queues while the map's
// queue_if_no_path is on and fails otherwise. multipathd's side (stacks/dm_multipathd.h) sets
// that flag per no_path_retry and reinstates paths; its two clocks live here: the checker loop
// (a tick every second at HeadConfig::dm_checker_phase, paths checked every polling_interval
// ticks) and the dm-event waiter (handles the kernel's events, then sleeps 1 s).
#pragma once

#include <vector>

#include "policies/stack_rules.h"
#include "policies/stacks/dm_multipathd.h"

namespace mpsim::policies {

// dm-mpath's clones carry REQ_FAILFAST_TRANSPORT, so nvme never retries them: a path-class
// error fails the path (whatever DNR says), any other error goes back to the caller.
Disposition dm_disposition(const NvmeStatus& status);

// multipathd's checker loop: the first tick strictly after `now` (ticks every second from
// `phase`), and whether a tick checks paths (every `polling_interval_s` ticks from `phase`).
TimePoint next_checker_tick(TimePoint now, Duration phase);
bool checker_tick_checks_paths(TimePoint tick, Duration phase, std::uint32_t polling_interval_s);

class DmRules final : public StackRules, private DmTarget {
 public:
  explicit DmRules(NamespaceHead& head);
  ~DmRules() override;

  bool serves(Stack s) const override { return s == Stack::DmMultipath; }

  Disposition disposition(const NvmeStatus& status, std::uint8_t retries) const override;
  bool retry_keeps_path() const override { return true; }         // dm never retries on a path
  bool ana_error_updates_path() const override { return false; }  // no nvme_failover_req for clones
  bool failover_keeps_retries() const override { return false; }
  bool failover_gives_up() const override { return false; }
  void fail_path(Path& p) override;

  bool available_path() const override { return queue_if_no_path_; }
  void no_path(IoRequest& io) override;

  void on_path_added(Path& p) override;
  void on_path_live(Path& p) override;
  void on_paths_changed() override { arm_checker(); }

 private:
  std::vector<bool> failed_;     // per path index: the kernel's pgpath is failed
  bool any_failed_ = false;
  PathList valid_;               // the head's list without the failed paths
  bool queue_if_no_path_;        // the map's flag: features, then multipathd's messages
  Multipathd daemon_;
  TimerService::TimerId checker_timer_ = TimerService::kNoTimer;
  TimerService::TimerId waiter_timer_ = TimerService::kNoTimer;
  bool event_pending_ = false;   // a dm event the waiter has not handled yet

  // The checker's verdict (checker "none": the device is usable).
  bool checker_up(std::size_t path) const { return path_usable(*paths()[path]); }
  void rebuild_valid();
  void join_map(const Path& p);

  // DmTarget: multipathd's messages to the kernel's map.
  bool dm_failed(std::size_t path) const override { return failed_[path]; }
  void dm_fail_path(std::size_t path) override { fail_path(*paths()[path]); }
  void dm_reinstate_path(std::size_t path) override;
  void dm_queue_if_no_path(bool queue) override;

  void raise_dm_event();
  void waiter_wakes();
  void arm_checker();
  void checker_tick();
};

}  // namespace mpsim::policies
