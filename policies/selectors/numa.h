// Linux native iopolicy "numa" (nvme_numa_path + __nvme_find_path), spec §1.3.
#pragma once

#include "policies/selector.h"
#include "policies/selectors/nvme_find_path.h"
#include "policies/selectors/per_path.h"

namespace mpsim::policies {

class NumaSelector : public PathSelector {
 public:
  explicit NumaSelector(NumaDistances distances) : distances_(std::move(distances)) {}

  Path* select(const PathList& paths, const IoRequest& io, const SelectContext& ctx) override;
  void on_path_failed(const Path& p) override;
  void on_path_live(const PathList& paths, const Path& p) override;
  void on_paths_changed(const PathList& paths) override;

 private:
  Path* find_and_cache(const PathList& paths, int node);

  NumaDistances distances_;
  Indexed<Path*> current_path_;  // per NUMA node
};

PolicyInfo numa_policy();

// nvme_path_is_optimized: only a LIVE (not DELETING) optimized path is trusted from a cache.
bool nvme_path_is_optimized(const Path& p);

}  // namespace mpsim::policies
