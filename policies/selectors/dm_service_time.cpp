#include "policies/selectors/dm_service_time.h"

#include "policies/selectors/dm_multipath.h"
#include "policies/selectors/dm_round_robin.h"

namespace mpsim::policies {

namespace {
constexpr std::uint64_t kMaxRelativeThroughput = 100;
constexpr unsigned kThroughputShift = 7;  // 2^7 > 100: shifting both sizes keeps products in range
constexpr std::uint64_t kMaxInFlight = ~std::uint64_t(0) >> kThroughputShift;

int sign_of_difference(std::uint64_t a, std::uint64_t b) { return a < b ? -1 : (a > b ? 1 : 0); }
}  // namespace

std::uint64_t DmServiceTime::relative_throughput(const Path& p) const {
  return p.index < throughput_.size() ? throughput_[p.index] : 1;
}

int DmServiceTime::compare_load(const Path& a, const Path& b, std::uint64_t incoming) const {
  std::uint64_t sz1 = in_flight_.value(a), sz2 = in_flight_.value(b);
  const std::uint64_t tp1 = relative_throughput(a), tp2 = relative_throughput(b);
  // Same throughput: the less loaded path.
  if (tp1 == tp2) return sign_of_difference(sz1, sz2);
  // Same load, or one path marked "use only if nothing else" (0): the higher throughput.
  if (sz1 == sz2 || tp1 == 0 || tp2 == 0) return sign_of_difference(tp2, tp1);
  // (sz1 + incoming) / tp1 versus (sz2 + incoming) / tp2, without dividing.
  sz1 += incoming;
  sz2 += incoming;
  if (sz1 >= kMaxInFlight || sz2 >= kMaxInFlight) {
    sz1 >>= kThroughputShift;
    sz2 >>= kThroughputShift;
  }
  const std::uint64_t st1 = sz1 * tp2, st2 = sz2 * tp1;
  if (st1 != st2) return sign_of_difference(st1, st2);
  // Equal estimates: the higher throughput.
  return sign_of_difference(tp2, tp1);
}

Path* DmServiceTime::select(const DmGroup& group, const IoRequest& io, TimePoint) {
  const auto& order = order_.paths();
  std::size_t best = order.size();
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (!candidate(*order[i], group)) continue;
    if (best == order.size() || compare_load(*order[i], *order[best], io.bytes) < 0) best = i;
  }
  if (best == order.size()) return nullptr;
  Path* chosen = order[best];
  order_.move_to_tail(best);
  return chosen;
}

void DmServiceTime::end_io(Path& p, const IoRequest& io, TimePoint) {
  std::uint64_t& bytes = in_flight_[p];
  bytes = bytes > io.bytes ? bytes - io.bytes : 0;
}

PolicyInfo dm_service_time_policy() {
  return dm_policy("dm-service-time",
                   "dm-multipath service-time (multipath-tools default): least in-flight bytes per unit of "
                   "relative throughput (dm-ps-service-time.c)",
                   {{"repeat_count", "1", "accepted for table compatibility; values > 1 are clamped to 1"},
                    {"relative_throughput", "",
                     "per-path relative throughput 0..100 in path order, comma-separated (e.g. '2,1'); missing "
                     "entries are 1; 0 = use only when no other path is usable"}},
                   [](const ParamReader& r) -> std::unique_ptr<DmPathSelector> {
                     auto ps = std::make_unique<DmServiceTime>(
                         r.integer_list("relative_throughput", 0, kMaxRelativeThroughput));
                     dm_clamp_repeat_count(r.integer("repeat_count", 0), *ps);
                     return ps;
                   });
}

}  // namespace mpsim::policies
