#include "policies/selectors/dm_round_robin.h"

#include "policies/selectors/dm_multipath.h"

namespace mpsim::policies {

Path* DmRoundRobin::select(const DmGroup& group, const IoRequest&, TimePoint) {
  const auto& order = order_.paths();
  for (std::size_t i = 0; i < order.size(); ++i) {
    Path* p = order[i];
    if (!candidate(*p, group)) continue;
    order_.move_to_tail(i);
    return p;
  }
  return nullptr;
}

void dm_clamp_repeat_count(std::uint64_t repeat_count, DmPathSelector& ps) {
  if (repeat_count > 1) ps.warnings.emplace_back(kDmRepeatCountWarning);
}

PolicyInfo dm_round_robin_policy() {
  return dm_policy("dm-round-robin",
                   "dm-multipath round-robin: next valid path in turn, one request each (dm-ps-round-robin.c)",
                   {{"repeat_count", "1", "rr_min_io_rq; values > 1 are accepted but clamped to 1 with the "
                                          "kernel's deprecation warning"}},
                   [](const ParamReader& r) -> std::unique_ptr<DmPathSelector> {
                     auto ps = std::make_unique<DmRoundRobin>();
                     dm_clamp_repeat_count(r.integer("repeat_count", 0), *ps);
                     return ps;
                   });
}

}  // namespace mpsim::policies
