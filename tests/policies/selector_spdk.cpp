// SPDK bdev_nvme path selection (multipath-behaviour.md §4, bdev_nvme_find_io_path).
#include <catch2/catch.hpp>

#include "policies/selectors/spdk_queue_depth.h"
#include "tests/policies/test_paths.h"

using namespace mpsim::policies;
using namespace mpsim::policies::testing;

TEST_CASE("§4 active_active round_robin: rr_min_io=3 gives AAABBB") {
  PathSet s;
  s.add(AnaState::Optimized);
  s.add(AnaState::Optimized);
  auto sel = make("spdk-round-robin", {{"rr_min_io", "3"}});
  CHECK(sequence(*sel, s.list, 12) == "AAABBBAAABBB");
  auto one = make("spdk-round-robin");
  CHECK(sequence(*one, s.list, 4) == "ABAB");
}

TEST_CASE("§4 active_active round_robin: optimized first from after the current path, else the FIRST non-optimized") {
  PathSet s;
  s.add(AnaState::Optimized);
  s.add(AnaState::NonOptimized);
  s.add(AnaState::Optimized);
  s.add(AnaState::NonOptimized);
  auto sel = make("spdk-round-robin");
  CHECK(sequence(*sel, s.list, 4) == "ACAC");  // non-optimized paths are skipped
  s.list[0]->ana_state = AnaState::Inaccessible;
  s.list[2]->ana_state = AnaState::Inaccessible;
  // The current path is C: scanning from D, the first non-optimized found is D, and it is cached.
  CHECK(sequence(*sel, s.list, 3) == "DBD");
}

TEST_CASE("§4 round_robin state is per SPDK thread (I/O channel)") {
  PathSet s;
  s.add(AnaState::Optimized);
  s.add(AnaState::Optimized);
  auto sel = make("spdk-round-robin", {{"rr_min_io", "2"}});
  std::string t0, t1;
  for (int i = 0; i < 4; ++i) {
    t0 += letter(pick(*sel, s.list, 0, 0));
    t1 += letter(pick(*sel, s.list, 0, 1));
  }
  CHECK(t0 == "AABB");
  CHECK(t1 == "AABB");
  CHECK_THROWS_WITH(make("spdk-round-robin", {{"rr_min_io", "x"}}),
                    "policy 'spdk-round-robin': parameter 'rr_min_io': expected an integer >= 1, got 'x'");
  CHECK_THROWS_WITH(make("spdk-round-robin", {{"rr_min_io", "0"}}),
                    Catch::Contains("expected an integer >= 1, got '0'"));
}

TEST_CASE("§4 active_passive: first optimized from the head, cached; preferred_path moves a path to the head") {
  PathSet s;
  s.add(AnaState::NonOptimized);
  s.add(AnaState::Optimized);
  s.add(AnaState::Optimized);
  auto sel = make("spdk-active-passive");
  CHECK(sequence(*sel, s.list, 3) == "BBB");
  auto preferred = make("spdk-active-passive", {{"preferred_path", "2"}});
  CHECK(sequence(*preferred, s.list, 3) == "CCC");
  auto preferred_nonopt = make("spdk-active-passive", {{"preferred_path", "0"}});
  CHECK(sequence(*preferred_nonopt, s.list, 2) == "BB");  // a non-optimized head still loses to optimized
}

TEST_CASE("§4 active_passive: automatic failback to the preferred path, unless disable_auto_failback") {
  PathSet s;
  Path& a = s.add(AnaState::Optimized);
  s.add(AnaState::Optimized);
  for (const char* disable : {"false", "true"}) {
    auto sel = make("spdk-active-passive", {{"disable_auto_failback", disable}});
    a.ana_state = AnaState::Optimized;
    CHECK(sequence(*sel, s.list, 2) == "AA");
    a.ana_state = AnaState::Inaccessible;
    sel->on_path_failed(a);
    CHECK(sequence(*sel, s.list, 2) == "BB");
    a.ana_state = AnaState::Optimized;
    sel->on_path_live(s.list, a);
    CHECK(sequence(*sel, s.list, 2) == (std::string(disable) == "false" ? "AA" : "BB"));
  }
}

TEST_CASE("§4 _bdev_nvme_find_io_path_min_qd: per-thread outstanding, optimized first, ties to list order") {
  PathSet s;
  s.add(AnaState::NonOptimized);
  s.add(AnaState::Optimized);
  s.add(AnaState::Optimized);
  auto sel = make("spdk-queue-depth");
  CHECK(sequence(*sel, s.list, 3) == "BBB");  // nothing dispatched: tie -> B every time
  IoRequest io = make_io(4096, 0, 0);
  sel->on_dispatch(*s.list[1], io, {});
  CHECK(letter(pick(*sel, s.list, 0, 0)) == 'C');
  CHECK(letter(pick(*sel, s.list, 0, 1)) == 'B');  // thread 1's qpair to B is empty
  sel->on_complete(*s.list[1], io, {});
  CHECK(letter(pick(*sel, s.list, 0, 0)) == 'B');
  s.list[1]->ana_state = AnaState::Inaccessible;
  s.list[2]->ana_state = AnaState::Inaccessible;
  CHECK(letter(pick(*sel, s.list)) == 'A');
}
