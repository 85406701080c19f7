// SPDK bdev_nvme (module/bdev/nvme/bdev_nvme.c): the head's rules for the SPDK selectors.
// Retries re-run path selection and count against bdev_retry_count across failovers; without
// a path an I/O is retried every second while some path may recover, where a path in an ANA
// transition stops counting once it has been inaccessible or in change for ANATT.
#pragma once

#include <vector>

#include "policies/stack_rules.h"

namespace mpsim::policies {

// bdev_nvme_io_complete_nvme_status: success completes; otherwise DNR or the retry budget
// first, then path errors fail over at once without counting, other errors count a retry and
// re-run path selection after the CRD delay.
Disposition spdk_disposition(const NvmeStatus& status, std::uint8_t retries, std::uint8_t bdev_retry_count);

class SpdkRules final : public StackRules {
 public:
  explicit SpdkRules(NamespaceHead& head);

  bool serves(Stack s) const override { return s == Stack::Spdk; }

  Disposition disposition(const NvmeStatus& status, std::uint8_t retries) const override;
  bool retry_keeps_path() const override { return false; }      // a retry selects again
  bool ana_error_updates_path() const override { return true; }
  bool failover_keeps_retries() const override { return true; } // retry_count lives in the bdev_io
  bool failover_gives_up() const override { return !may_recover(); }

  bool available_path() const override { return may_recover(); }
  void no_path(IoRequest& io) override;

  void on_path_added(Path& p) override;
  void on_path_live(Path& /*p*/) override { track_ana(); }
  void on_paths_changed() override { track_ana(); }

 private:
  // Per path index: since when the path has been inaccessible or in change (the ANATT clock);
  // TimePoint::max() = it is not.
  std::vector<TimePoint> ana_since_;

  bool ana_timed_out(const Path& p) const;
  bool may_recover() const;
  void track_ana();
};

}  // namespace mpsim::policies
