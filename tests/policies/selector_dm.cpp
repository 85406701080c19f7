// dm-multipath path selectors and priority groups (multipath-behaviour.md §3.1–3.3).
#include <algorithm>

#include <catch2/catch.hpp>

#include "policies/selectors/dm_historical_service_time.h"
#include "policies/selectors/dm_multipath.h"
#include "policies/selectors/dm_service_time.h"
#include "tests/policies/test_paths.h"

using namespace mpsim::policies;
using namespace mpsim::policies::testing;
using namespace std::chrono_literals;

namespace {
// Selects, dispatches and (optionally) completes, returning the letters chosen.
struct Driver {
  PathSelector& sel;
  const PathList& list;
  std::vector<IoRequest> inflight;

  Path* submit(std::uint32_t bytes = 4096, TimePoint now = {}) {
    IoRequest io = make_io(bytes);
    Path* p = sel.select(list, io, SelectContext{0, 0, now});
    if (p) {
      sel.on_dispatch(*p, io, now);
      io.path = p;
      inflight.push_back(io);
    }
    return p;
  }
  void complete(std::size_t i, TimePoint now = {}) {
    sel.on_complete(*inflight[i].path, inflight[i], now);
    inflight.erase(inflight.begin() + std::ptrdiff_t(i));
  }
};
}  // namespace

TEST_CASE("§3.1 dm round-robin: next valid path in turn; repeat_count > 1 clamped with the kernel's warning") {
  PathSet s;
  s.add(AnaState::Optimized);
  s.add(AnaState::Optimized);
  s.add(AnaState::Optimized);
  auto sel = make("dm-round-robin");
  CHECK(sequence(*sel, s.list, 6) == "ABCABC");
  CHECK(sel->warnings().empty());
  auto clamped = make("dm-round-robin", {{"repeat_count", "1000"}});
  CHECK(sequence(*clamped, s.list, 4) == "ABCA");  // still one request per path
  REQUIRE(clamped->warnings().size() == 1);
  CHECK(clamped->warnings()[0] == "repeat_count > 1 is deprecated, using 1 instead");
}

TEST_CASE("§3.1 dm queue-length: fewest in flight wins, and moving the winner to the tail rotates ties") {
  PathSet s;
  s.add(AnaState::Optimized);
  s.add(AnaState::Optimized);
  s.add(AnaState::Optimized);
  auto sel = make("dm-queue-length");
  Driver d{*sel, s.list, {}};
  std::string order;
  // Every request completes before the next: all queues stay empty, yet the choice rotates
  // (Linux queue-depth would pick A every time).
  for (int i = 0; i < 6; ++i) {
    order += letter(d.submit());
    d.complete(0);
  }
  CHECK(order == "ABCABC");
  // With requests left in flight the least loaded path wins.
  CHECK(letter(d.submit()) == 'A');
  CHECK(letter(d.submit()) == 'B');
  CHECK(letter(d.submit()) == 'C');
  d.complete(1);  // B idle again, A and C busy
  CHECK(letter(d.submit()) == 'B');
  CHECK(letter(d.submit()) == 'A');  // all at 1 now: the least recently chosen (A) is first
}

TEST_CASE("§3.1 dm service-time st_compare_load: each tie-break rule") {
  PathSet s;
  Path& a = s.add(AnaState::Optimized);
  Path& b = s.add(AnaState::Optimized);
  IoRequest big = make_io(1000);

  SECTION("same throughput: less loaded wins") {
    DmServiceTime st({1, 1});
    st.start_io(a, big, {});
    CHECK(st.compare_load(a, b, 4096) > 0);
    CHECK(st.compare_load(b, a, 4096) < 0);
  }
  SECTION("same load, different throughput: higher throughput wins") {
    DmServiceTime st({1, 3});
    CHECK(st.compare_load(a, b, 4096) > 0);
    st.start_io(a, big, {});
    st.start_io(b, big, {});
    CHECK(st.compare_load(a, b, 4096) > 0);
  }
  SECTION("a zero-throughput path only wins when the other is also zero") {
    DmServiceTime st({0, 1});
    st.start_io(b, big, {});
    st.start_io(b, big, {});
    CHECK(st.compare_load(a, b, 4096) > 0);  // b is loaded but a has throughput 0
  }
  SECTION("different load and throughput: (load + incoming) / throughput, cross-multiplied") {
    DmServiceTime st({2, 1});
    IoRequest io3000 = make_io(3000);
    st.start_io(a, io3000, {});  // a: (3000 + 1000) / 2 = 2000
    st.start_io(b, big, {});     // b: (1000 + 1000) / 1 = 2000 -> equal estimate
    CHECK(st.compare_load(a, b, 1000) < 0);  // equal estimate: higher throughput (a)
    CHECK(st.compare_load(a, b, 0) > 0);     // a: 3000 / 2 = 1500 against b: 1000 / 1 -> b
  }
}

TEST_CASE("§3.1 dm service-time: relative_throughput param and tail rotation") {
  PathSet s;
  s.add(AnaState::Optimized);
  s.add(AnaState::Optimized);
  auto equal = make("dm-service-time");
  CHECK(sequence(*equal, s.list, 4) == "ABAB");  // idle, equal: the winner moves to the tail
  auto weighted = make("dm-service-time", {{"relative_throughput", "1,4"}});
  Driver d{*weighted, s.list, {}};
  std::string order;
  for (int i = 0; i < 5; ++i) order += letter(d.submit(1000));
  // B has 4x the throughput: it takes requests until its estimate (n*1000+1000)/4 exceeds A's.
  CHECK(order == "BBBBA");
  CHECK_THROWS_WITH(make("dm-service-time", {{"relative_throughput", "1,101"}}),
                    Catch::Contains("policy 'dm-service-time': parameter 'relative_throughput'"));
}

DmHistoricalServiceTime& hst_of(PathSelector& sel) {
  return dynamic_cast<DmHistoricalServiceTime&>(dynamic_cast<DmMultipathSelector&>(sel).path_selector());
}

TEST_CASE("§3.1 dm historical-service-time: prefers the historically faster path, probes a stale one") {
  PathSet s;
  s.add(AnaState::Optimized);
  s.add(AnaState::Optimized);
  auto sel = make("dm-historical-service-time");
  Driver d{*sel, s.list, {}};
  TimePoint now = 1s;
  std::string order;
  // A serves a request in 8 ms, B in 1 ms; one request at a time.
  for (int i = 0; i < 60; ++i) {
    Path* p = d.submit(4096, now);
    order += letter(p);
    now += (p == s.list[0]) ? 8ms : 1ms;
    d.complete(0, now);
  }
  const auto a = hst_of(*sel).stats(*s.list[0]);
  const auto b = hst_of(*sel).stats(*s.list[1]);
  CHECK(a.service_time > 4 * b.service_time);
  const std::string recent = order.substr(40);
  CHECK(std::count(recent.begin(), recent.end(), 'B') >= 16);
  CHECK(std::count(order.begin(), order.end(), 'A') >= 2);  // A still gets probes now and then
  REQUIRE(a.stale_after > std::uint64_t(now.count()));  // both estimates are fresh here
  REQUIRE(b.stale_after > std::uint64_t(now.count()));

  // Fresh estimates: B stays better even with a request already queued on it.
  CHECK(letter(d.submit(4096, now)) == 'B');
  CHECK(letter(d.submit(4096, now)) == 'B');
  d.complete(0, now + 1ms);
  d.complete(0, now + 2ms);

  // After a quiet period both are stale: the staler one goes first, and while it is busy
  // the other idle stale path gets a single probe despite its worse history.
  now += 10s;
  Path* first = d.submit(4096, now);
  Path* second = d.submit(4096, now);
  CHECK(first != second);
  CHECK(letter(d.submit(4096, now)) == 'B');  // both busy now: back to estimates
}

TEST_CASE("§3.1 dm historical-service-time: service time is serialised per path (now - max(start, last finish))") {
  PathSet s;
  Path& a = s.add(AnaState::Optimized);
  DmHistoricalServiceTime hst(0, 0);  // base_weight 0: the estimate is the last sample
  IoRequest first = make_io(), second = make_io();
  first.dispatched = 0ms;
  second.dispatched = 0ms;
  hst.start_io(a, first, 0ms);
  hst.start_io(a, second, 0ms);
  hst.end_io(a, first, 4ms);
  CHECK(hst.stats(a).service_time == 4'000'000u * 1024u);
  hst.end_io(a, second, 5ms);  // overlapped: only the 1 ms after the first finished counts
  CHECK(hst.stats(a).service_time == 1'000'000u * 1024u);
  CHECK(hst.weight_for(1'000'000) == 0);
  DmHistoricalServiceTime default_base(972, 0);
  CHECK(default_base.weight_for(0) == 972);
  CHECK(default_base.weight_for(std::uint64_t(1) << 24) == (972u * 972u + 512u) / 1024u);
  CHECK(default_base.weight_for(std::uint64_t(1) << 40) == 0);  // last bucket: history dropped
}

TEST_CASE("§3.2 dm choose_pgpath group_by_prio: stay in the group, switch when it empties, manual failback") {
  PathSet s;
  Path& a = s.add(AnaState::Optimized);
  Path& b = s.add(AnaState::Optimized);
  s.add(AnaState::NonOptimized);
  auto sel = make("dm-round-robin");
  auto& dm = dynamic_cast<DmMultipathSelector&>(*sel);
  CHECK(sequence(*sel, s.list, 4) == "ABAB");
  REQUIRE(dm.current_group() != nullptr);
  CHECK(dm.current_group()->kind == DmGroup::Kind::Optimized);
  a.ready = false;
  CHECK(sequence(*sel, s.list, 2) == "BB");  // the group still has B: no switch
  b.ana_pending = true;
  CHECK(sequence(*sel, s.list, 2) == "CC");
  CHECK(dm.current_group()->kind == DmGroup::Kind::NonOptimized);
  a.ready = true;
  sel->on_path_live(s.list, a);
  CHECK(sequence(*sel, s.list, 2) == "CC");  // failback manual: C's group still has a path
  s.list[2]->ana_state = AnaState::Inaccessible;
  CHECK(sequence(*sel, s.list, 2) == "AA");
}

TEST_CASE("§3.3 multipathd failback immediate returns to the optimized group as soon as it has a path") {
  PathSet s;
  Path& a = s.add(AnaState::Optimized);
  s.add(AnaState::NonOptimized);
  auto sel = make("dm-queue-length", {{"failback", "immediate"}});
  CHECK(sequence(*sel, s.list, 2) == "AA");
  a.ana_state = AnaState::Change;
  CHECK(sequence(*sel, s.list, 2) == "BB");
  a.ana_state = AnaState::Optimized;
  CHECK(sequence(*sel, s.list, 2) == "AA");
}

TEST_CASE("§3.3 path_grouping_policy failover (one path per group) and multibus (one group)") {
  PathSet s;
  Path& a = s.add(AnaState::Optimized);
  s.add(AnaState::Optimized);
  s.add(AnaState::NonOptimized);
  auto failover = make("dm-round-robin", {{"path_grouping_policy", "failover"}});
  CHECK(sequence(*failover, s.list, 3) == "AAA");
  a.removed = true;
  CHECK(sequence(*failover, s.list, 3) == "BBB");
  a.removed = false;
  CHECK(sequence(*failover, s.list, 3) == "BBB");  // manual failback
  auto failover_immediate =
      make("dm-round-robin", {{"path_grouping_policy", "failover"}, {"failback", "immediate"}});
  s.list[1]->ana_state = AnaState::Inaccessible;
  s.list[0]->ana_state = AnaState::Inaccessible;
  CHECK(sequence(*failover_immediate, s.list, 2) == "CC");
  s.list[1]->ana_state = AnaState::Optimized;
  CHECK(sequence(*failover_immediate, s.list, 2) == "BB");
  s.list[0]->ana_state = AnaState::Optimized;
  CHECK(sequence(*failover_immediate, s.list, 2) == "AA");  // equal priority: path order decides
  auto multibus = make("dm-round-robin", {{"path_grouping_policy", "multibus"}});
  CHECK(sequence(*multibus, s.list, 6) == "ABCABC");  // non-optimized paths share the load
  CHECK_THROWS_WITH(make("dm-round-robin", {{"path_grouping_policy", "group_by_serial"}}),
                    Catch::Contains("parameter 'path_grouping_policy': expected one of 'group_by_prio'"));
}
