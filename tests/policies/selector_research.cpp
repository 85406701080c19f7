// Research policies (policies/README.md "Research policies"): latency and ana-weighted-qd.
#include <catch2/catch.hpp>

#include "policies/controller.h"
#include "policies/selectors/latency.h"
#include "tests/policies/test_paths.h"

using namespace mpsim::policies;
using namespace mpsim::policies::testing;
using namespace std::chrono_literals;

namespace {
// Runs `n` sequential I/Os; the path at index `slow` takes 10 ms, the others 1 ms.
std::string run_sequential(PathSelector& sel, const PathList& list, int n, std::size_t slow, TimePoint& now) {
  std::string order;
  for (int i = 0; i < n; ++i) {
    IoRequest io = make_io();
    Path* p = sel.select(list, io, SelectContext{0, 0, now});
    REQUIRE(p);
    order += letter(p);
    sel.on_dispatch(*p, io, now);
    now += p->index == slow ? 10ms : 1ms;
    sel.on_complete(*p, io, now);
  }
  return order;
}
}  // namespace

TEST_CASE("research latency: moves away from a path that became slow, keeps probing it") {
  PathSet s;
  s.add(AnaState::Optimized);
  s.add(AnaState::Optimized);
  auto sel = make("latency", {{"probe_interval", "10"}});
  TimePoint now = 1s;
  const std::string warmup = run_sequential(*sel, s.list, 20, 99, now);  // both fast
  CHECK(warmup.find('A') != std::string::npos);
  CHECK(warmup.find('B') != std::string::npos);
  const std::string after = run_sequential(*sel, s.list, 100, 0, now);  // A slows to 10 ms
  const std::string tail = after.substr(50);
  const auto on_a = std::count(tail.begin(), tail.end(), 'A');
  CHECK(on_a >= 4);   // the probes (every 10th I/O) still measure A...
  CHECK(on_a <= 6);   // ...but that is all it gets
  // A recovers. Only the probes measure it, each moving the estimate 1/2^decay of the way
  // back; B is just as fast, so there is no reason to move traffic.
  run_sequential(*sel, s.list, 300, 99, now);
  const auto a = dynamic_cast<LatencySelector&>(*sel).stats(*s.list[0]);
  CHECK(a.estimate_ns < 1'200'000);  // 30 probes: 9 ms of excess x (7/8)^30 is about 0.16 ms
  // Because the probes kept A's estimate current, a slowdown of B moves traffic at once.
  const std::string b_slow = run_sequential(*sel, s.list, 40, 1, now);
  const std::string settled = b_slow.substr(10);
  CHECK(std::count(settled.begin(), settled.end(), 'A') >= 26);
}

TEST_CASE("research latency: estimate x (1 + outstanding) spreads concurrent I/O") {
  PathSet s;
  Path& a = s.add(AnaState::Optimized);
  Path& b = s.add(AnaState::Optimized);
  LatencySelector sel(0, 0);  // decay 0: estimate = last sample; no probes
  IoRequest io = make_io();
  sel.on_dispatch(a, io, 0ms);
  sel.on_complete(a, io, 1ms);  // A: 1 ms
  sel.on_dispatch(b, io, 0ms);
  sel.on_complete(b, io, 3ms);  // B: 3 ms
  CHECK(pick(sel, s.list) == &a);
  IoRequest q1 = make_io(), q2 = make_io(), q3 = make_io();
  sel.on_dispatch(a, q1, 0ms);
  sel.on_dispatch(a, q2, 0ms);  // A: 1 ms x 3 = 3 ms, tie with B -> list order
  CHECK(pick(sel, s.list) == &a);
  sel.on_dispatch(a, q3, 0ms);  // A: 4 ms > B: 3 ms
  CHECK(pick(sel, s.list) == &b);
  CHECK_THROWS_WITH(make("latency", {{"decay", "17"}}),
                    "policy 'latency': parameter 'decay': expected an integer in [0, 16], got '17'");
}

TEST_CASE("research ana-weighted-qd: a saturated optimized path spills onto the non-optimized one") {
  PathSet s;
  Path& opt = s.add(AnaState::Optimized);
  Path& nonopt = s.add(AnaState::NonOptimized);
  auto sel = make("ana-weighted-qd", {{"nonopt_weight", "4"}});
  auto qd = make("queue-depth");
  std::string order;
  std::vector<IoRequest> inflight(12);
  for (auto& io : inflight) {
    Path* p = pick(*sel, s.list);
    order += letter(p);
    sel->on_dispatch(*p, io, {});
  }
  // Costs: optimized (n+1), non-optimized 4(n+1). Ties go to list order.
  CHECK(order == "AAAABAAAABAA");
  CHECK(opt.ctrl->nr_active == 10);
  CHECK(nonopt.ctrl->nr_active == 2);
  CHECK(letter(pick(*qd, s.list)) == 'A');  // Linux queue-depth never spills
}
