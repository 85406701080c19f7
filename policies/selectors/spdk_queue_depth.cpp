#include "policies/selectors/spdk_queue_depth.h"

#include <climits>

namespace mpsim::policies {

std::uint32_t SpdkQueueDepth::outstanding(std::uint32_t thread, const Path& p) const {
  return thread < outstanding_.size() ? outstanding_.all()[thread].value(p) : 0;
}

Path* SpdkQueueDepth::select(const PathList& paths, const IoRequest&, const SelectContext& ctx) {
  Path* optimized = nullptr;
  Path* non_optimized = nullptr;
  std::uint32_t opt_min = UINT32_MAX, non_opt_min = UINT32_MAX;
  for (Path* p : paths) {
    if (!path_usable(*p)) continue;
    const std::uint32_t depth = outstanding(ctx.thread, *p);
    if (p->ana_state == AnaState::Optimized) {
      if (depth < opt_min) {
        opt_min = depth;
        optimized = p;
      }
    } else if (depth < non_opt_min) {
      non_opt_min = depth;
      non_optimized = p;
    }
  }
  return optimized ? optimized : non_optimized;
}

void SpdkQueueDepth::on_dispatch(Path& p, IoRequest& io, TimePoint) { ++outstanding_.at(io.thread)[p]; }

void SpdkQueueDepth::on_complete(Path& p, IoRequest& io, TimePoint) {
  std::uint32_t& n = outstanding_.at(io.thread)[p];
  if (n > 0) --n;
}

PolicyInfo spdk_queue_depth_policy() {
  return {"spdk-queue-depth",
          Stack::Spdk,
          "SPDK bdev_nvme active_active/queue_depth: fewest outstanding requests on this thread's qpair, "
          "optimized first, ties to list order",
          {},
          [](const std::map<std::string, std::string>&) -> std::unique_ptr<PathSelector> {
            return std::make_unique<SpdkQueueDepth>();
          }};
}

}  // namespace mpsim::policies
