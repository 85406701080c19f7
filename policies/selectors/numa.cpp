#include "policies/selectors/numa.h"

#include "policies/controller.h"
#include "policies/selectors/params.h"

namespace mpsim::policies {

bool nvme_path_is_optimized(const Path& p) {
  return p.ctrl->state() == ControllerState::Live && path_optimized(p);
}

Path* NumaSelector::find_and_cache(const PathList& paths, int node) {
  Path* found = nvme_find_closest_path(paths, node, &distances_);
  // The kernel only overwrites the cache when the scan found something.
  if (found) current_path_.at(context_slot(node)) = found;
  return found;
}

Path* NumaSelector::select(const PathList& paths, const IoRequest&, const SelectContext& ctx) {
  Path* cached = current_path_.value(context_slot(ctx.numa_node));
  // Sticky while optimized; a non-optimized cache entry is re-scanned on every I/O.
  if (position_in(paths, cached) != kNotListed && nvme_path_is_optimized(*cached)) return cached;
  return find_and_cache(paths, ctx.numa_node);
}

void NumaSelector::on_path_failed(const Path& p) {
  for (Path*& cached : current_path_.all())
    if (cached == &p) cached = nullptr;
}

// nvme_mpath_set_live: a path that comes back optimized may be closer than the cached one.
void NumaSelector::on_path_live(const PathList& paths, const Path& p) {
  if (!nvme_path_is_optimized(p)) return;
  for (std::size_t node = 0; node < current_path_.size(); ++node) find_and_cache(paths, int(node));
}

void NumaSelector::on_paths_changed(const PathList&) {
  for (Path*& cached : current_path_.all()) cached = nullptr;
}

PolicyInfo numa_policy() {
  return {"numa",
          Stack::LinuxNative,
          "Linux default: per-NUMA-node sticky path, closest optimized controller first (multipath.c "
          "nvme_numa_path)",
          {{"numa_distances", "",
            "node_distance() matrix, rows ';'-separated, e.g. '10,20;20,10'; default 10 local / 20 remote. "
            "Controllers with numa_node -1 (NVMe/TCP) are always local"}},
          [](const std::map<std::string, std::string>& params) -> std::unique_ptr<PathSelector> {
            return std::make_unique<NumaSelector>(NumaDistances::parse("numa", params.at("numa_distances")));
          }};
}

}  // namespace mpsim::policies
