#include "policies/selectors/ana_weighted_qd.h"

#include "policies/controller.h"
#include "policies/selectors/params.h"
#include "policies/selectors/queue_depth.h"

namespace mpsim::policies {

std::uint64_t AnaWeightedQueueDepth::cost(const Path& p) const {
  const std::uint64_t weight = p.ana_state == AnaState::Optimized ? 1 : nonopt_weight_;
  return (std::uint64_t(p.ctrl->nr_active) + 1) * weight;
}

Path* AnaWeightedQueueDepth::select(const PathList& paths, const IoRequest&, const SelectContext&) {
  Path* best = nullptr;
  std::uint64_t best_cost = 0;
  for (Path* p : paths) {
    if (!path_usable(*p)) continue;
    const std::uint64_t c = cost(*p);
    if (!best || c < best_cost) {
      best = p;
      best_cost = c;
    }
    if (best_cost == 1) break;  // an idle optimized path: the cheapest possible
  }
  return best;
}

// Counted in the controller's nr_active exactly like queue-depth, so both policies see the
// same load when namespaces of one controller use either.
void AnaWeightedQueueDepth::on_dispatch(Path& p, IoRequest& io, TimePoint) { start_active_count(p, io); }
void AnaWeightedQueueDepth::on_complete(Path& p, IoRequest& io, TimePoint) { end_active_count(p, io); }

PolicyInfo ana_weighted_qd_policy() {
  return {"ana-weighted-qd",
          Stack::Research,
          "Research: queue-depth across both ANA tiers, a non-optimized request weighing nonopt_weight "
          "optimized ones, so a saturated optimized path spills over",
          {{"nonopt_weight", "4",
            "cost multiplier of a non-optimized path (>= 1); it takes I/O once every optimized path has "
            "about nonopt_weight x (its depth + 1) requests in flight"}},
          [](const std::map<std::string, std::string>& params) -> std::unique_ptr<PathSelector> {
            const ParamReader r("ana-weighted-qd", params);
            return std::make_unique<AnaWeightedQueueDepth>(std::uint32_t(r.integer("nonopt_weight", 1, 1u << 16)));
          }};
}

}  // namespace mpsim::policies
