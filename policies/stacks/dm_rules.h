// dm-multipath over NVMe (drivers/md/dm-mpath.c with multipathd): the head's rules for the dm
// path selectors. dm fails a path on a path error and keeps it off the selector's list until
// multipathd's checker reinstates it; without a path it queues per queue_if_no_path /
// no_path_retry (HeadConfig::dm_*).
#pragma once

#include <vector>

#include "policies/stack_rules.h"

namespace mpsim::policies {

// dm-mpath's clones carry REQ_FAILFAST_TRANSPORT, so nvme never retries them: a path-class
// error fails the path (whatever DNR says), any other error goes back to the caller.
Disposition dm_disposition(const NvmeStatus& status);

class DmRules final : public StackRules {
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

  bool available_path() const override { return queueing(); }
  void no_path(IoRequest& io) override;

  void on_path_added(Path& p) override;
  void on_path_live(Path& p) override;
  void on_paths_changed() override { update_no_path_clock(); }

 private:
  std::vector<bool> failed_;     // per path index: failed by dm, waiting for the checker
  bool any_failed_ = false;
  PathList valid_;               // the head's list without the failed paths
  TimerService::TimerId checker_timer_ = TimerService::kNoTimer;
  bool no_path_ = false;         // no usable path since the no_path_retry clock started
  bool queueing_disabled_ = false;
  TimerService::TimerId no_path_timer_ = TimerService::kNoTimer;

  bool usable(const Path& p) const { return path_usable(p) && !failed_[p.index]; }
  bool any_usable() const;
  bool queueing() const;
  void rebuild_valid();
  void reinstate(Path& p);
  void check_paths();
  void update_no_path_clock();
  void no_path_expired();
};

}  // namespace mpsim::policies
