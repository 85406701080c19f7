#include "policies/selectors/latency.h"

#include "policies/selectors/params.h"

namespace mpsim::policies {

namespace {
// Expected wait of one more request: every queued request ahead of it costs one estimate.
std::uint64_t expected_wait(const LatencySelector::PathStats& s) {
  return std::uint64_t(s.estimate_ns) * (1 + std::uint64_t(s.outstanding));
}
}  // namespace

Path* LatencySelector::best_in_tier(const PathList& paths, AnaState tier) const {
  Path* best = nullptr;
  std::uint64_t best_wait = 0;
  for (Path* p : paths) {
    if (!path_usable(*p) || p->ana_state != tier) continue;
    const std::uint64_t wait = expected_wait(stats_.value(*p));
    if (!best || wait < best_wait) {
      best = p;
      best_wait = wait;
    }
  }
  return best;
}

// Never-measured paths first, then the oldest measurement; ties to list order.
Path* LatencySelector::stalest_in_tier(const PathList& paths, AnaState tier) const {
  Path* stalest = nullptr;
  for (Path* p : paths) {
    if (!path_usable(*p) || p->ana_state != tier) continue;
    const PathStats s = stats_.value(*p);
    if (!stalest) {
      stalest = p;
      continue;
    }
    const PathStats t = stats_.value(*stalest);
    if ((!s.sampled && t.sampled) || (s.sampled == t.sampled && s.last_sample < t.last_sample)) stalest = p;
  }
  return stalest;
}

Path* LatencySelector::select(const PathList& paths, const IoRequest&, const SelectContext&) {
  ++selections_;
  const bool probe = probe_interval_ != 0 && selections_ % probe_interval_ == 0;
  for (AnaState tier : {AnaState::Optimized, AnaState::NonOptimized}) {
    Path* chosen = probe ? stalest_in_tier(paths, tier) : best_in_tier(paths, tier);
    if (chosen) return chosen;
  }
  return nullptr;
}

void LatencySelector::on_dispatch(Path& p, IoRequest& io, TimePoint now) {
  io.dispatched = now;  // same meaning as the head's field; the sample is measured from it
  ++stats_[p].outstanding;
}

void LatencySelector::on_complete(Path& p, IoRequest& io, TimePoint now) {
  PathStats& s = stats_[p];
  if (s.outstanding > 0) --s.outstanding;
  const std::int64_t sample = (now - io.dispatched).count();
  if (sample < 0) return;
  if (!s.sampled) {
    s.estimate_ns = sample;  // first sample replaces the optimistic 0
  } else {
    s.estimate_ns += (sample - s.estimate_ns) / (std::int64_t(1) << decay_shift_);
  }
  s.sampled = true;
  s.last_sample = now;
}

PolicyInfo latency_policy() {
  return {"latency",
          Stack::Research,
          "Research: least EWMA completion latency x (1 + outstanding), optimized first, periodic probing "
          "of the least recently measured path",
          {{"decay", "3", "EWMA weight of a new sample is 1/2^decay (0..16)"},
           {"probe_interval", "64",
            "every N-th I/O goes to the least recently measured usable path of the tier; 0 = never"}},
          [](const std::map<std::string, std::string>& params) -> std::unique_ptr<PathSelector> {
            const ParamReader r("latency", params);
            return std::make_unique<LatencySelector>(unsigned(r.integer("decay", 0, 16)),
                                                     std::uint32_t(r.integer("probe_interval", 0, UINT32_MAX)));
          }};
}

}  // namespace mpsim::policies
