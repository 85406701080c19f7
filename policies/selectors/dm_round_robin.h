// dm "round-robin" path selector (dm-ps-round-robin.c), spec §3.1: take the first valid
// path and move it to the tail; one request per path (repeat_count is forced to 1).
#pragma once

#include "policies/selector.h"
#include "policies/selectors/dm_path_selector.h"

namespace mpsim::policies {

class DmRoundRobin : public DmPathSelector {
 public:
  Path* select(const DmGroup& group, const IoRequest& io, TimePoint now) override;
};

// Reads repeat_count the way dm's add_path does: any value is accepted, > 1 is clamped.
void dm_clamp_repeat_count(std::uint64_t repeat_count, DmPathSelector& ps);

PolicyInfo dm_round_robin_policy();

}  // namespace mpsim::policies
