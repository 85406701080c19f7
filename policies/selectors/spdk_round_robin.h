// SPDK bdev_nvme active_active with the round_robin selector, spec §4: keep the channel's
// path for rr_min_io I/Os, then move on to the next optimized path after it.
#pragma once

#include "policies/selector.h"
#include "policies/selectors/spdk_scan.h"

namespace mpsim::policies {

class SpdkRoundRobin : public PathSelector {
 public:
  explicit SpdkRoundRobin(std::uint32_t rr_min_io) : rr_min_io_(rr_min_io) {}

  Path* select(const PathList& paths, const IoRequest& io, const SelectContext& ctx) override;
  void on_path_failed(const Path& p) override;
  void on_path_live(const PathList& paths, const Path& p) override;
  void on_paths_changed(const PathList& paths) override;

 private:
  std::uint32_t rr_min_io_;
  SpdkPathOrder order_;
  Indexed<SpdkChannel> channels_;  // per SPDK thread
};

PolicyInfo spdk_round_robin_policy();

}  // namespace mpsim::policies
