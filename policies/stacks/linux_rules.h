// Linux native NVMe multipath (drivers/nvme/host/core.c, multipath.c): the head's rules for the
// numa, round-robin and queue-depth iopolicies, and for the research policies, which compete
// under the same rules.
#pragma once

#include "policies/stack_rules.h"

namespace mpsim::policies {

// core.c nvme_decide_disposition.
Disposition linux_disposition(const NvmeStatus& status, std::uint8_t retries, std::uint8_t max_retries);

class LinuxRules final : public StackRules {
 public:
  explicit LinuxRules(NamespaceHead& head) : StackRules(head) {}
  ~LinuxRules() override;

  bool serves(Stack s) const override { return s == Stack::LinuxNative || s == Stack::Research; }

  Disposition disposition(const NvmeStatus& status, std::uint8_t retries) const override;
  bool retry_keeps_path() const override { return true; }        // nvme_retry_req
  bool ana_error_updates_path() const override { return true; }  // nvme_failover_req
  bool failover_keeps_retries() const override { return false; } // the bio becomes a new request
  bool failover_gives_up() const override { return false; }      // requeued, no_path decides

  bool available_path() const override;
  void no_path(IoRequest& io) override;

  void on_path_live(Path& p) override;
  void on_paths_changed() override;

 private:
  // delayed_removal_secs (6.16+): the head outlives its last path for a while and queues.
  bool removal_pending_ = false;  // NVME_NSHEAD_QUEUE_IF_NO_PATH
  TimerService::TimerId removal_timer_ = TimerService::kNoTimer;

  FailReason fail_reason() const;
  bool all_paths_removed() const;
  void check_last_path_removed();
  void removal_expired();
};

}  // namespace mpsim::policies
