#include "policies/selectors/dm_queue_length.h"

#include "policies/selectors/dm_multipath.h"
#include "policies/selectors/dm_round_robin.h"

namespace mpsim::policies {

Path* DmQueueLength::select(const DmGroup& group, const IoRequest&, TimePoint) {
  const auto& order = order_.paths();
  std::size_t best = order.size();
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (!candidate(*order[i], group)) continue;
    if (best == order.size() || qlen_.value(*order[i]) < qlen_.value(*order[best])) best = i;
    if (qlen_.value(*order[best]) == 0) break;  // an idle path cannot be beaten
  }
  if (best == order.size()) return nullptr;
  Path* chosen = order[best];
  order_.move_to_tail(best);
  return chosen;
}

void DmQueueLength::end_io(Path& p, const IoRequest&, TimePoint) {
  std::uint32_t& q = qlen_[p];
  if (q > 0) --q;
}

PolicyInfo dm_queue_length_policy() {
  return dm_policy("dm-queue-length",
                   "dm-multipath queue-length: fewest in-flight requests per path, ties rotate "
                   "(dm-ps-queue-length.c)",
                   {{"repeat_count", "1", "accepted for table compatibility; values > 1 are clamped to 1"}},
                   [](const ParamReader& r) -> std::unique_ptr<DmPathSelector> {
                     auto ps = std::make_unique<DmQueueLength>();
                     dm_clamp_repeat_count(r.integer("repeat_count", 0), *ps);
                     return ps;
                   });
}

}  // namespace mpsim::policies
