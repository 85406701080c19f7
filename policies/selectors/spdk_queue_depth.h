// SPDK bdev_nvme active_active with the queue_depth selector (_bdev_nvme_find_io_path_min_qd),
// spec §4: fewest outstanding requests on this thread's qpair of each path; not cached.
#pragma once

#include "policies/selector.h"
#include "policies/selectors/per_path.h"

namespace mpsim::policies {

class SpdkQueueDepth : public PathSelector {
 public:
  Path* select(const PathList& paths, const IoRequest& io, const SelectContext& ctx) override;
  void on_dispatch(Path& p, IoRequest& io, TimePoint now) override;
  void on_complete(Path& p, IoRequest& io, TimePoint now) override;
  std::uint32_t outstanding(std::uint32_t thread, const Path& p) const;

 private:
  Indexed<PerPath<std::uint32_t>> outstanding_;  // [thread][path]
};

PolicyInfo spdk_queue_depth_policy();

}  // namespace mpsim::policies
