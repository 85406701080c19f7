#include "policies/selectors/dm_historical_service_time.h"

#include <algorithm>

#include "policies/selectors/dm_multipath.h"

namespace mpsim::policies {

namespace {
using Hst = DmHistoricalServiceTime;
constexpr std::uint64_t kFixedMax = ~std::uint64_t(0) >> Hst::kFixedShift;
constexpr std::uint64_t kMaxInFlight = Hst::kFixedOne;  // beyond this the products may overflow

// x^n in fixed point by repeated squaring, rounding at every step like the kernel's fixed_power.
std::uint64_t fixed_power(std::uint64_t x, unsigned frac_bits, unsigned n) {
  std::uint64_t result = std::uint64_t(1) << frac_bits;
  const std::uint64_t half = std::uint64_t(1) << (frac_bits - 1);
  while (n) {
    if (n & 1) result = (result * x + half) >> frac_bits;
    n >>= 1;
    if (n) x = (x * x + half) >> frac_bits;
  }
  return result;
}

// last * w + next * (1 - w), w in fixed point.
std::uint64_t fixed_ema(std::uint64_t last, std::uint64_t next, std::uint64_t weight) {
  std::uint64_t v = last * weight + next * (Hst::kFixedOne - weight);
  v += std::uint64_t(1) << (Hst::kFixedShift - 1);
  return v >> Hst::kFixedShift;
}

std::uint64_t ns(TimePoint t) { return t.count() < 0 ? 0 : std::uint64_t(t.count()); }
}  // namespace

// Weight of a sample taking `n` buckets: base^(n+1); the slowest bucket replaces history.
DmHistoricalServiceTime::DmHistoricalServiceTime(std::uint64_t base_weight, std::uint64_t threshold_multiplier)
    : threshold_multiplier_(threshold_multiplier) {
  for (std::size_t i = 0; i + 1 < kWeightCount; ++i)
    weights_[i] = fixed_power(base_weight, kFixedShift, unsigned(i + 1));
  weights_[kWeightCount - 1] = 0;
}

std::uint64_t DmHistoricalServiceTime::weight_for(std::uint64_t service_time_ns) const {
  return weights_[std::min<std::uint64_t>(service_time_ns >> kBucketShift, kWeightCount - 1)];
}

long long DmHistoricalServiceTime::compare(const Path& a, const Path& b, std::uint64_t now) const {
  const PathStats s1 = stats_.value(a), s2 = stats_.value(b);
  std::uint64_t hst1 = s1.service_time, hst2 = s2.service_time;
  const long long out1 = (long long)s1.outstanding, out2 = (long long)s2.outstanding;
  const long long stale1 = (long long)s1.stale_after, stale2 = (long long)s2.stale_after;
  const long long time_now = (long long)now;

  // Estimates too close to call: the less loaded path wins.
  const bool over_threshold =
      hst1 > hst2 ? hst1 > threshold_multiplier_ * hst2 : hst2 > threshold_multiplier_ * hst1;
  if (!over_threshold) return out1 - out2;

  // An idle stale path gets a probe; two idle paths: the staler one.
  if ((!out1 && stale1 < time_now) || (!out2 && stale2 < time_now) || (!out1 && !out2))
    return (!out2 * stale1) - (!out1 * stale2);

  bool b_better;
  if (out1 == out2) {
    b_better = hst1 > hst2;
  } else {
    if (out1 >= (long long)kMaxInFlight || out2 >= (long long)kMaxInFlight) {
      hst1 >>= kFixedShift;
      hst2 >>= kFixedShift;
    }
    b_better = std::uint64_t(1 + out1) * hst1 > std::uint64_t(1 + out2) * hst2;
  }
  // A stale winner is only trusted with equal load.
  if (b_better) return stale2 < time_now ? out1 - out2 : 1;
  return stale1 < time_now ? out1 - out2 : -1;
}

Path* DmHistoricalServiceTime::select(const DmGroup& group, const IoRequest&, TimePoint now) {
  const auto& order = order_.paths();
  std::size_t best = order.size();
  std::uint64_t valid = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (!candidate(*order[i], group)) continue;
    ++valid;
    if (best == order.size() || compare(*order[i], *order[best], ns(now)) < 0) best = i;
  }
  if (best == order.size()) return nullptr;
  valid_count_ = valid;
  Path* chosen = order[best];
  order_.move_to_tail(best);
  return chosen;
}

// Service time = completion - max(dispatch, previous completion on this path): overlapping
// requests are accounted as if served one after another.
void DmHistoricalServiceTime::end_io(Path& p, const IoRequest& io, TimePoint now) {
  PathStats& s = stats_[p];
  const std::uint64_t finish = ns(now);
  const std::uint64_t start = std::max(ns(io.dispatched), s.last_finish);
  s.last_finish = finish;
  const std::uint64_t st = finish > start ? finish - start : 0;
  if (s.outstanding > 0) --s.outstanding;
  s.service_time = fixed_ema(s.service_time, std::min(st * kFixedOne, kFixedMax), weight_for(st));
  // Fresh until every valid path could have completed one request at this path's pace.
  s.stale_after = s.last_finish + valid_count_ * (s.service_time >> kFixedShift);
}

PolicyInfo dm_historical_service_time_policy() {
  return dm_policy(
      "dm-historical-service-time",
      "dm-multipath historical-service-time: EMA of measured per-path service time x (1 + outstanding), "
      "stale paths probed (dm-ps-historical-service-time.c)",
      {{"base_weight", "972", "EMA weight of history per 2^24 ns of sample, in 1/1024 (0..1023); 0 = no history"},
       {"threshold_multiplier", "0",
        "paths count as different only if one estimate exceeds N x the other; 0 or 1 = no effect"}},
      [](const ParamReader& r) -> std::unique_ptr<DmPathSelector> {
        return std::make_unique<DmHistoricalServiceTime>(r.integer("base_weight", 0, Hst::kFixedOne - 1),
                                                         r.integer("threshold_multiplier", 0, 1u << 20));
      });
}

}  // namespace mpsim::policies
