// Research policy "latency": route to the path with the smallest expected wait, estimated
// as an EWMA of its measured completion latency times (1 + its outstanding requests). In
// the spirit of Hannes Reinecke's unmerged "latency" iopolicy RFC for Linux (per-path
// latency tracking instead of queue counts). Estimates go stale on paths that never get
// I/O, so every probe_interval-th I/O goes to the least recently measured path of the tier.
#pragma once

#include "policies/selector.h"
#include "policies/selectors/per_path.h"

namespace mpsim::policies {

class LatencySelector : public PathSelector {
 public:
  struct PathStats {
    std::int64_t estimate_ns = 0;  // EWMA; 0 until the first sample, so new paths get tried
    std::uint32_t outstanding = 0;
    TimePoint last_sample{};
    bool sampled = false;
  };

  LatencySelector(unsigned decay_shift, std::uint32_t probe_interval)
      : decay_shift_(decay_shift), probe_interval_(probe_interval) {}

  Path* select(const PathList& paths, const IoRequest& io, const SelectContext& ctx) override;
  void on_dispatch(Path& p, IoRequest& io, TimePoint now) override;
  void on_complete(Path& p, IoRequest& io, TimePoint now) override;
  PathStats stats(const Path& p) const { return stats_.value(p); }

 private:
  Path* best_in_tier(const PathList& paths, AnaState tier) const;
  Path* stalest_in_tier(const PathList& paths, AnaState tier) const;

  unsigned decay_shift_;
  std::uint32_t probe_interval_;
  std::uint64_t selections_ = 0;
  PerPath<PathStats> stats_;
};

PolicyInfo latency_policy();

}  // namespace mpsim::policies
