// Research policy "ana-weighted-qd": queue-depth over optimized AND non-optimized paths,
// where a request on a non-optimized path costs `nonopt_weight` times more. Linux's
// queue-depth never touches a non-optimized path while any optimized one is usable, even
// if that one is saturated; here a deep enough optimized queue spills onto the other tier.
#pragma once

#include "policies/selector.h"

namespace mpsim::policies {

class AnaWeightedQueueDepth : public PathSelector {
 public:
  explicit AnaWeightedQueueDepth(std::uint32_t nonopt_weight) : nonopt_weight_(nonopt_weight) {}

  Path* select(const PathList& paths, const IoRequest& io, const SelectContext& ctx) override;
  void on_dispatch(Path& p, IoRequest& io, TimePoint now) override;
  void on_complete(Path& p, IoRequest& io, TimePoint now) override;
  // Cost of one more request on `p`: (nr_active + 1) x weight of its ANA state.
  std::uint64_t cost(const Path& p) const;

 private:
  std::uint32_t nonopt_weight_;
};

PolicyInfo ana_weighted_qd_policy();

}  // namespace mpsim::policies
