#include "policies/selectors/round_robin.h"

#include "policies/selectors/numa.h"
#include "policies/selectors/nvme_find_path.h"

namespace mpsim::policies {

// Walks the circular list from the path after `old` up to (not including) `old`.
Path* RoundRobinSelector::next_after(const PathList& paths, std::size_t old_position, Path*& cache) {
  const std::size_t n = paths.size();
  Path* old = paths[old_position];
  Path* found = nullptr;
  for (std::size_t step = 1; step < n; ++step) {
    Path* p = paths[(old_position + step) % n];
    if (!path_usable(*p)) continue;
    if (p->ana_state == AnaState::Optimized) {
      cache = p;
      return p;
    }
    found = p;  // non-optimized: the last one seen in walk order is kept
  }
  // Nothing optimized elsewhere: stay on `old` if it is optimized, or if it is the only
  // usable path at all. (The kernel's single-path shortcut ends up the same way.)
  if (path_usable(*old) && (old->ana_state == AnaState::Optimized || !found)) return old;
  if (found) cache = found;
  return found;
}

Path* RoundRobinSelector::select(const PathList& paths, const IoRequest&, const SelectContext& ctx) {
  Path*& cache = current_path_.at(context_slot(ctx.numa_node));
  const std::size_t old_position = position_in(paths, cache);
  if (old_position == kNotListed) {
    // No position yet: __nvme_find_path with every path at LOCAL_DISTANCE.
    Path* first = nvme_find_closest_path(paths, ctx.numa_node, nullptr);
    if (first) cache = first;
    return first;
  }
  return next_after(paths, old_position, cache);
}

void RoundRobinSelector::on_path_failed(const Path& p) {
  for (Path*& cached : current_path_.all())
    if (cached == &p) cached = nullptr;
}

// nvme_mpath_set_live re-runs __nvme_find_path for every node, which restarts each node's
// walk at the first optimized path.
void RoundRobinSelector::on_path_live(const PathList& paths, const Path& p) {
  if (!nvme_path_is_optimized(p)) return;
  for (Path*& cached : current_path_.all())
    if (Path* first = nvme_find_closest_path(paths, 0, nullptr)) cached = first;
}

void RoundRobinSelector::on_paths_changed(const PathList&) {
  for (Path*& cached : current_path_.all()) cached = nullptr;
}

PolicyInfo round_robin_policy() {
  return {"round-robin",
          Stack::LinuxNative,
          "Linux: per-NUMA-node rotation over optimized paths, one I/O per path (nvme_round_robin_path)",
          {},
          [](const std::map<std::string, std::string>&) -> std::unique_ptr<PathSelector> {
            return std::make_unique<RoundRobinSelector>();
          }};
}

}  // namespace mpsim::policies
