// Property: whatever the path states, every registered policy returns a usable path when
// one exists and nullptr otherwise (selector.h contract; §1.2 path usability).
#include <algorithm>
#include <random>

#include <catch2/catch.hpp>

#include "policies/controller.h"
#include "tests/policies/test_paths.h"

using namespace mpsim::policies;
using namespace mpsim::policies::testing;

namespace {
struct RandomWorld {
  Fabric fabric;
  NamespaceHead& head = fabric.head("nvme0n1");
  std::vector<Controller*> controllers;
  PathList list;
  std::mt19937_64 rng{20240611};

  RandomWorld() {
    for (int i = 0; i < 3; ++i) controllers.push_back(&fabric.live_controller("live" + std::to_string(i), i % 2));
    controllers.push_back(&fabric.connecting_controller("connecting"));
    for (int i = 0; i < 5; ++i) fabric.add_path(list, head, *controllers[std::size_t(i) % 3], AnaState::Optimized);
  }
  bool chance(int percent) { return int(rng() % 100) < percent; }

  void shuffle_one_path() {
    Path& p = *list[rng() % list.size()];
    p.ana_state = AnaState(rng() % 5);
    p.ana_pending = chance(15);
    p.ready = !chance(10);
    p.removed = chance(10);
    p.ctrl = controllers[rng() % controllers.size()];
  }
  // The head may offer a subset of its list in list order (dm leaves failed paths out).
  const PathList& offer(PathList& scratch) {
    if (!chance(30)) return list;
    scratch.clear();
    for (Path* p : list)
      if (chance(70)) scratch.push_back(p);
    return scratch;
  }
  static bool any_usable(const PathList& paths) {
    for (const Path* p : paths)
      if (path_usable(*p)) return true;
    return false;
  }
  static bool offered(const PathList& paths, const Path* p) {
    return std::find(paths.begin(), paths.end(), p) != paths.end();
  }
};

// Variants with non-default parameters that change how a policy searches.
std::vector<PolicyConfig> configurations() {
  std::vector<PolicyConfig> out;
  for (const PolicyInfo& info : registered_policies()) out.push_back({info.name, {}});
  for (const char* dm : {"dm-round-robin", "dm-queue-length", "dm-service-time", "dm-historical-service-time"}) {
    out.push_back({dm, {{"path_grouping_policy", "failover"}, {"failback", "immediate"}}});
    out.push_back({dm, {{"path_grouping_policy", "multibus"}}});
  }
  out.push_back({"spdk-round-robin", {{"rr_min_io", "4"}}});
  out.push_back({"spdk-active-passive", {{"preferred_path", "3"}, {"disable_auto_failback", "true"}}});
  out.push_back({"dm-service-time", {{"relative_throughput", "0,3,1,0,2"}}});
  out.push_back({"latency", {{"probe_interval", "3"}}});
  return out;
}
}  // namespace

TEST_CASE("property: no selector ever returns an unusable or unoffered path, and none gives up while one is usable") {
  for (const PolicyConfig& config : configurations()) {
    RandomWorld w;
    auto sel = make_selector(config);
    std::vector<IoRequest> inflight;
    PathList subset;
    inflight.reserve(4096);
    std::int64_t clock = 0;
    int violations = 0, missed = 0;
    for (int step = 0; step < 3000; ++step) {
      if (w.chance(20)) w.shuffle_one_path();
      if (w.chance(3)) sel->on_path_failed(*w.list[w.rng() % w.list.size()]);
      if (w.chance(3)) sel->on_path_live(w.list, *w.list[w.rng() % w.list.size()]);
      if (w.chance(2)) sel->on_paths_changed(w.list);
      clock += std::int64_t(w.rng() % 2'000'000);
      const TimePoint now{clock};
      IoRequest io = make_io(512u << (w.rng() % 8), int(w.rng() % 2), std::uint32_t(w.rng() % 3));
      const PathList& paths = w.offer(subset);
      Path* p = sel->select(paths, io, SelectContext{io.numa_node, io.thread, now});
      if (p && (!path_usable(*p) || !RandomWorld::offered(paths, p))) ++violations;
      if (!p && RandomWorld::any_usable(paths)) ++missed;
      if (p && inflight.size() < inflight.capacity()) {
        sel->on_dispatch(*p, io, now);
        io.path = p;
        inflight.push_back(io);
      }
      while (!inflight.empty() && w.chance(45)) {
        const std::size_t i = w.rng() % inflight.size();
        sel->on_complete(*inflight[i].path, inflight[i], now);
        inflight.erase(inflight.begin() + std::ptrdiff_t(i));
      }
    }
    INFO(config.name << (config.params.empty() ? "" : " (with params)"));
    CHECK(violations == 0);
    CHECK(missed == 0);
  }
}
