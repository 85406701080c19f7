// SPDK bdev_nvme multipath policy active_passive, spec §4: one path per channel, the first
// optimized (else non-optimized) path from the front of the list; failback to the front
// when a path returns unless disable_auto_failback.
#pragma once

#include "policies/selector.h"
#include "policies/selectors/spdk_scan.h"

namespace mpsim::policies {

class SpdkActivePassive : public PathSelector {
 public:
  SpdkActivePassive(long preferred_path, bool disable_auto_failback)
      : order_(preferred_path), auto_failback_(!disable_auto_failback) {}

  Path* select(const PathList& paths, const IoRequest& io, const SelectContext& ctx) override;
  void on_path_failed(const Path& p) override;
  void on_path_live(const PathList& paths, const Path& p) override;
  void on_paths_changed(const PathList& paths) override;

 private:
  void clear_all();

  SpdkPathOrder order_;
  bool auto_failback_;
  Indexed<SpdkChannel> channels_;  // per SPDK thread
};

PolicyInfo spdk_active_passive_policy();

}  // namespace mpsim::policies
