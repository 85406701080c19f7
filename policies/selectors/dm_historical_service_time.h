// dm "historical-service-time" path selector (dm-ps-historical-service-time.c), spec §3.1:
// a time-weighted moving average of each path's measured service time, scaled by its
// outstanding requests; paths that have not completed anything lately are "stale" and get
// probed with a single request.
#pragma once

#include <array>

#include "policies/selector.h"
#include "policies/selectors/dm_path_selector.h"
#include "policies/selectors/per_path.h"

namespace mpsim::policies {

class DmHistoricalServiceTime : public DmPathSelector {
 public:
  static constexpr unsigned kFixedShift = 10;                 // 10 fractional bits
  static constexpr std::uint64_t kFixedOne = 1u << kFixedShift;
  static constexpr unsigned kBucketShift = 24;                // ~16.8 ms per weight bucket
  static constexpr std::size_t kWeightCount = 64;

  struct PathStats {
    std::uint64_t service_time = kFixedOne;  // EMA, fixed point, nanoseconds
    std::uint64_t outstanding = 0;
    std::uint64_t stale_after = 0;           // ns
    std::uint64_t last_finish = 0;           // ns
  };

  DmHistoricalServiceTime(std::uint64_t base_weight, std::uint64_t threshold_multiplier);

  Path* select(const DmGroup& group, const IoRequest& io, TimePoint now) override;
  void start_io(Path& p, const IoRequest&, TimePoint) override { ++stats_[p].outstanding; }
  void end_io(Path& p, const IoRequest& io, TimePoint now) override;

  // hst_compare: < 0 if `a` is the better path now, > 0 if `b` is.
  long long compare(const Path& a, const Path& b, std::uint64_t now) const;
  PathStats stats(const Path& p) const { return stats_.value(p); }
  std::uint64_t weight_for(std::uint64_t service_time_ns) const;

 private:
  std::array<std::uint64_t, kWeightCount> weights_{};
  std::uint64_t threshold_multiplier_;
  std::uint64_t valid_count_ = 1;  // usable paths in the group at the last choice
  PerPath<PathStats> stats_;
};

PolicyInfo dm_historical_service_time_policy();

}  // namespace mpsim::policies
