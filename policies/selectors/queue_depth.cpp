#include "policies/selectors/queue_depth.h"

#include <climits>

#include "policies/controller.h"

namespace mpsim::policies {

void start_active_count(Path& p, IoRequest& io) {
  if (io.counted_active) return;  // a restarted request must not be counted twice
  ++p.ctrl->nr_active;
  io.counted_active = true;
}

void end_active_count(Path& p, IoRequest& io) {
  if (!io.counted_active) return;
  if (p.ctrl->nr_active > 0) --p.ctrl->nr_active;
  io.counted_active = false;
}

Path* QueueDepthSelector::select(const PathList& paths, const IoRequest&, const SelectContext&) {
  Path* best_opt = nullptr;
  Path* best_nonopt = nullptr;
  unsigned min_opt = UINT_MAX, min_nonopt = UINT_MAX;
  for (Path* p : paths) {
    if (!path_usable(*p)) continue;
    const unsigned depth = p->ctrl->nr_active;
    if (p->ana_state == AnaState::Optimized) {
      if (depth < min_opt) {
        min_opt = depth;
        best_opt = p;
      }
      if (min_opt == 0) return best_opt;  // nothing can beat an idle optimized path
    } else if (depth < min_nonopt) {
      min_nonopt = depth;
      best_nonopt = p;
    }
  }
  return best_opt ? best_opt : best_nonopt;
}

void QueueDepthSelector::on_start(Path& p, IoRequest& io, TimePoint) { start_active_count(p, io); }
void QueueDepthSelector::on_complete(Path& p, IoRequest& io, TimePoint) { end_active_count(p, io); }

PolicyInfo queue_depth_policy() {
  return {"queue-depth",
          Stack::LinuxNative,
          "Linux 6.11+: fewest requests in flight per controller (shared by all its namespaces), ties to "
          "list order (nvme_queue_depth_path)",
          {},
          [](const std::map<std::string, std::string>&) -> std::unique_ptr<PathSelector> {
            return std::make_unique<QueueDepthSelector>();
          }};
}

}  // namespace mpsim::policies
