// Linux native iopolicies: numa, round-robin, queue-depth (multipath-behaviour.md §1.2, §1.3).
#include <catch2/catch.hpp>

#include "policies/controller.h"
#include "tests/policies/test_paths.h"

using namespace mpsim::policies;
using namespace mpsim::policies::testing;

TEST_CASE("§1.2 nvme_path_is_disabled: ctrl LIVE or DELETING, not ANA pending, ready, not removed") {
  PathSet s;
  Path& p = s.add(AnaState::Optimized);
  CHECK_FALSE(path_disabled(p));
  CHECK(path_usable(p));
  p.ana_pending = true;
  CHECK(path_disabled(p));
  p.ana_pending = false;
  p.ready = false;
  CHECK(path_disabled(p));
  p.ready = true;
  p.removed = true;
  CHECK(path_disabled(p));
  p.removed = false;
  for (AnaState a : {AnaState::Inaccessible, AnaState::PersistentLoss, AnaState::Change}) {
    p.ana_state = a;
    CHECK_FALSE(path_disabled(p));  // ANA state is not part of "disabled"...
    CHECK_FALSE(path_usable(p));    // ...but no policy may select it
  }
  p.ana_state = AnaState::NonOptimized;
  CHECK(path_usable(p));
  CHECK_FALSE(path_optimized(p));
  Controller& connecting = s.fabric.connecting_controller("nvme9");
  REQUIRE(connecting.state() != ControllerState::Live);
  p.ctrl = &connecting;
  CHECK(path_disabled(p));
}

TEST_CASE("§1.3 numa: sticky on a cached optimized path, list order on equal distance") {
  PathSet s;
  s.add(AnaState::Optimized);
  s.add(AnaState::Optimized);
  auto sel = make("numa");
  CHECK(sequence(*sel, s.list, 4) == "AAAA");
  // Stays on A even when it is no longer the first choice of a fresh scan.
  s.list[0]->ctrl->nr_active = 7;  // irrelevant to numa
  CHECK(letter(pick(*sel, s.list)) == 'A');
}

TEST_CASE("§1.3 numa: NUMA_NO_NODE controllers count as local, so every node uses the first optimized path") {
  PathSet s;
  s.add(AnaState::Optimized);  // numa_node -1 (NVMe/TCP)
  s.add(AnaState::Optimized, 1);
  auto sel = make("numa");
  CHECK(letter(pick(*sel, s.list, 0)) == 'A');  // B is remote (20) for node 0, A is local (10)
  CHECK(letter(pick(*sel, s.list, 1)) == 'A');  // B is local for node 1 but ties go to list order
}

TEST_CASE("§1.3 numa: closest optimized controller wins per node, with a distance matrix param") {
  PathSet s;
  s.add(AnaState::Optimized, 0);
  s.add(AnaState::Optimized, 1);
  auto sel = make("numa");
  CHECK(letter(pick(*sel, s.list, 0)) == 'A');
  CHECK(letter(pick(*sel, s.list, 1)) == 'B');
  // With a matrix where node 1 is closer to node 0's controller than its own, node 1 picks A.
  auto odd = make("numa", {{"numa_distances", "10,30;12,40"}});
  CHECK(letter(pick(*odd, s.list, 1)) == 'A');
  CHECK_THROWS_WITH(make("numa", {{"numa_distances", "10,20;20"}}),
                    Catch::Contains("policy 'numa': parameter 'numa_distances'"));
}

TEST_CASE("§1.3 numa: a cached non-optimized path is re-scanned on every I/O") {
  PathSet s;
  Path& a = s.add(AnaState::NonOptimized);
  Path& b = s.add(AnaState::Inaccessible);
  auto sel = make("numa");
  CHECK(pick(*sel, s.list) == &a);
  b.ana_state = AnaState::Optimized;  // no hook called: only the re-scan can notice
  CHECK(pick(*sel, s.list) == &b);
  a.ana_state = AnaState::Optimized;  // B is cached and optimized: sticky, A is not considered
  CHECK(pick(*sel, s.list) == &b);
}

TEST_CASE("§1.3 numa: nvme_failover_req clears the cache, nvme_mpath_set_live recomputes it") {
  PathSet s;
  Path& a = s.add(AnaState::Optimized);
  Path& b = s.add(AnaState::Optimized);
  auto sel = make("numa");
  CHECK(pick(*sel, s.list) == &a);
  a.ana_pending = true;
  sel->on_path_failed(a);
  CHECK(pick(*sel, s.list) == &b);
  a.ana_pending = false;
  CHECK(pick(*sel, s.list) == &b);  // sticky until the path is announced live again
  sel->on_path_live(s.list, a);
  CHECK(pick(*sel, s.list) == &a);
}

TEST_CASE("§1.3 nvme_round_robin_path: strict alternation over two optimized paths") {
  PathSet s;
  s.add(AnaState::Optimized);
  s.add(AnaState::Optimized);
  auto sel = make("round-robin");
  CHECK(sequence(*sel, s.list, 6) == "ABABAB");
}

TEST_CASE("§1.3 nvme_round_robin_path: one optimized + one non-optimized stays on the optimized path") {
  PathSet s;
  s.add(AnaState::NonOptimized);
  s.add(AnaState::Optimized);
  auto sel = make("round-robin");
  CHECK(sequence(*sel, s.list, 5) == "BBBBB");
  s.list[1]->ana_state = AnaState::Inaccessible;
  CHECK(sequence(*sel, s.list, 3) == "AAA");  // old unusable: the non-optimized alternative
}

TEST_CASE("§1.3 nvme_round_robin_path: without optimized paths the LAST non-optimized in walk order wins") {
  PathSet s;
  s.add(AnaState::NonOptimized);
  s.add(AnaState::NonOptimized);
  s.add(AnaState::NonOptimized);
  auto sel = make("round-robin");
  // First I/O: no position yet, numa-style scan -> first non-optimized (A).
  // Next: walk B, C from A; C is the last non-optimized seen -> C. Then walk A, B -> B.
  // Then from B: walk C, A -> A. So the rotation runs backwards: A C B A C B.
  CHECK(sequence(*sel, s.list, 6) == "ACBACB");
}

TEST_CASE("§1.3 nvme_round_robin_path: with no position yet, __nvme_find_path ignores NUMA distance") {
  PathSet s;
  s.add(AnaState::Optimized, 1);
  s.add(AnaState::Optimized, 0);
  // For a node-0 submitter numa picks B (local); round-robin's first scan runs under a
  // non-numa iopolicy, where every path is LOCAL_DISTANCE, so list order decides.
  CHECK(letter(pick(*make("numa"), s.list, 0)) == 'B');
  CHECK(letter(pick(*make("round-robin"), s.list, 0)) == 'A');
}

TEST_CASE("§1.3 nvme_round_robin_path: per NUMA node positions and single-path fallback") {
  PathSet s;
  s.add(AnaState::Optimized);
  s.add(AnaState::Optimized);
  auto sel = make("round-robin");
  CHECK(letter(pick(*sel, s.list, 0)) == 'A');
  CHECK(letter(pick(*sel, s.list, 1)) == 'A');  // node 1 starts its own walk
  CHECK(letter(pick(*sel, s.list, 0)) == 'B');
  CHECK(letter(pick(*sel, s.list, 1)) == 'B');
  s.list[1]->removed = true;
  CHECK(sequence(*sel, s.list, 3, 0) == "AAA");
  s.list[0]->ready = false;
  CHECK(pick(*sel, s.list) == nullptr);
}

TEST_CASE("§1.3 nvme_queue_depth_path: ctrl->nr_active is shared by every namespace of the controller") {
  Fabric f;
  Controller& c0 = f.live_controller("nvme0");
  Controller& c1 = f.live_controller("nvme1");
  NamespaceHead& h1 = f.head("nvme0n1");
  NamespaceHead& h2 = f.head("nvme0n2");
  PathList ns1, ns2;
  f.add_path(ns1, h1, c0, AnaState::Optimized);
  f.add_path(ns1, h1, c1, AnaState::Optimized);
  f.add_path(ns2, h2, c0, AnaState::Optimized);
  f.add_path(ns2, h2, c1, AnaState::Optimized);
  auto qd1 = make("queue-depth");
  auto qd2 = make("queue-depth");

  IoRequest io1 = make_io();
  Path* p1 = pick(*qd1, ns1);
  REQUIRE(p1 == ns1[0]);
  qd1->on_dispatch(*p1, io1, {});
  CHECK_FALSE(io1.counted_active);  // chosen, not started: nvme_mpath_start_request has not run
  qd1->on_start(*p1, io1, {});
  CHECK(io1.counted_active);
  CHECK(c0.nr_active == 1);
  // Namespace 2 sees controller 0 busy with namespace 1's request and goes to controller 1.
  IoRequest io2 = make_io();
  Path* p2 = pick(*qd2, ns2);
  CHECK(p2 == ns2[1]);
  qd2->on_dispatch(*p2, io2, {});
  qd2->on_start(*p2, io2, {});
  qd1->on_complete(*p1, io1, {});
  CHECK_FALSE(io1.counted_active);
  CHECK(c0.nr_active == 0);
  qd1->on_complete(*p1, io1, {});  // a second completion of the same attempt changes nothing
  CHECK(c0.nr_active == 0);
  CHECK(c1.nr_active == 1);
}

TEST_CASE("§1.3 nvme_queue_depth_path: ties go to list order, no rotation; optimized before non-optimized") {
  PathSet s;
  s.add(AnaState::NonOptimized);
  s.add(AnaState::Optimized);
  s.add(AnaState::Optimized);
  auto sel = make("queue-depth");
  s.list[1]->ctrl->nr_active = 3;
  s.list[2]->ctrl->nr_active = 3;
  CHECK(sequence(*sel, s.list, 3) == "BBB");  // equal depth: first in list, every time
  s.list[2]->ctrl->nr_active = 2;
  CHECK(letter(pick(*sel, s.list)) == 'C');
  s.list[1]->ana_state = AnaState::Change;
  s.list[2]->ana_pending = true;
  s.list[0]->ctrl->nr_active = 50;
  CHECK(letter(pick(*sel, s.list)) == 'A');  // only the non-optimized path is left
}

TEST_CASE("§1.3 nvme_queue_depth_path: early exit on an idle optimized path") {
  PathSet s;
  s.add(AnaState::Optimized);
  Path& b = s.add(AnaState::Optimized);
  auto sel = make("queue-depth");
  // The result of an exhaustive scan would be the same, so make the rest of the list
  // unreadable: a path without a controller would crash a scan that went past idle A.
  Controller* real = b.ctrl;
  b.ctrl = nullptr;
  CHECK(letter(pick(*sel, s.list)) == 'A');
  b.ctrl = real;
  s.list[0]->ctrl->nr_active = 1;
  CHECK(letter(pick(*sel, s.list)) == 'B');
}

TEST_CASE("§1.3 queue-depth: a reconnect zeroes nr_active under in-flight I/O; completions never go negative") {
  PathSet s;
  Path& a = s.add(AnaState::Optimized);
  auto sel = make("queue-depth");
  IoRequest io = make_io();
  sel->on_dispatch(a, io, {});
  sel->on_start(a, io, {});
  REQUIRE(a.ctrl->nr_active == 1);
  a.ctrl->nr_active = 0;  // nvme_mpath_init_identify on reconnect
  sel->on_complete(a, io, {});
  CHECK(a.ctrl->nr_active == 0);
  end_active_count(a, io);  // the head's policy-independent call is harmless after the selector's
  CHECK(a.ctrl->nr_active == 0);
}
