// Linux native iopolicy "round-robin" (nvme_round_robin_path), spec §1.3: each NUMA node
// walks head->list on its own, one I/O per step.
#pragma once

#include "policies/selector.h"
#include "policies/selectors/per_path.h"

namespace mpsim::policies {

class RoundRobinSelector : public PathSelector {
 public:
  Path* select(const PathList& paths, const IoRequest& io, const SelectContext& ctx) override;
  void on_path_failed(const Path& p) override;
  void on_path_live(const PathList& paths, const Path& p) override;
  void on_paths_changed(const PathList& paths) override;

 private:
  Path* next_after(const PathList& paths, std::size_t old_position, Path*& cache);

  Indexed<Path*> current_path_;  // per NUMA node: the "old" path of the next walk
};

PolicyInfo round_robin_policy();

}  // namespace mpsim::policies
