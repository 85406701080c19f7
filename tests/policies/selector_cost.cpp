// Selectors sit on the simulator's hot path (~1M choices per second): after warm-up a
// choice + dispatch + completion must not touch the heap. A hidden benchmark prints the
// cost per I/O: ./test_policies "[.bench]"
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>

#include <catch2/catch.hpp>

#include "policies/fifo.h"
#include "tests/policies/test_paths.h"

namespace {
std::atomic<std::uint64_t> g_allocations{0};
}  // namespace

// Counting replacement of the global allocator for this test binary (behaviour unchanged).
void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

using namespace mpsim::policies;
using namespace mpsim::policies::testing;

namespace {
struct Workload {
  PathSet s;
  std::vector<IoRequest> ring = std::vector<IoRequest>(32);
  std::size_t next = 0;
  std::int64_t clock = 0;

  Workload() {
    for (int i = 0; i < 4; ++i) s.add(i < 2 ? AnaState::Optimized : AnaState::NonOptimized, i % 2);
  }
  // Keeps 32 I/Os in flight on 2 threads / 2 NUMA nodes: complete the oldest, issue a new one.
  bool step(PathSelector& sel) {
    IoRequest& io = ring[next];
    next = (next + 1) % ring.size();
    clock += 1000;
    const TimePoint now{clock};
    if (io.path) sel.on_complete(*io.path, io, now);
    io = make_io(4096, int(next % 2), std::uint32_t(next % 2));
    Path* p = sel.select(s.list, io, SelectContext{io.numa_node, io.thread, now});
    if (!p) return false;
    io.path = p;
    sel.on_dispatch(*p, io, now);
    return true;
  }
};
}  // namespace

TEST_CASE("selectors: no heap allocation per I/O after warm-up, for every registered policy") {
  const std::uint64_t probe_before = g_allocations.load();
  auto probe = std::make_unique<int>(1);
  REQUIRE(g_allocations.load() > probe_before);  // the counting allocator is really in use
  for (const PolicyInfo& info : registered_policies()) {
    auto sel = make_selector({info.name, {}});
    Workload w;
    for (int i = 0; i < 1000; ++i) REQUIRE(w.step(*sel));
    const std::uint64_t before = g_allocations.load();
    bool all_chosen = true;
    for (int i = 0; i < 20000; ++i) all_chosen &= w.step(*sel);
    const std::uint64_t allocated = g_allocations.load() - before;
    INFO(info.name);
    CHECK(all_chosen);
    CHECK(allocated == 0);
  }
}

// The same counting allocator shows what a host's many empty lists cost (one per controller and
// per head): nothing, and nothing more after warm-up while a list fills and drains.
TEST_CASE("Fifo: allocates nothing while empty, keeps its order, stays bounded when never drained") {
  std::uint64_t before = g_allocations.load();
  std::vector<Fifo<IoRequest*>> lists(1000);
  Fifo<IoRequest*> moved;
  moved.swap(lists[0]);
  const std::uint64_t for_empty_lists = g_allocations.load() - before;
  CHECK(for_empty_lists == 1);  // the vector of lists itself, not the lists
  CHECK(lists[7].empty());
  CHECK(lists[7].size() == 0);

  std::vector<IoRequest> ios(100);
  Fifo<IoRequest*> f;
  std::size_t pushed = 0, popped = 0;
  bool in_order = true;
  // Never drained (like a controller that stays full): 3 in, 2 out, for a long time.
  before = g_allocations.load();
  for (int round = 0; round < 20000; ++round) {
    for (int i = 0; i < 3 && f.size() < ios.size() - 1; ++i) f.push_back(&ios[pushed++ % ios.size()]);
    for (int i = 0; i < 2 && !f.empty(); ++i) {
      in_order &= f.front() == &ios[popped++ % ios.size()];
      f.pop_front();
    }
  }
  const std::uint64_t while_used = g_allocations.load() - before;
  before = g_allocations.load();
  for (int round = 0; round < 20000; ++round) {
    f.push_back(&ios[pushed++ % ios.size()]);
    in_order &= f.front() == &ios[popped++ % ios.size()];
    f.pop_front();
  }
  const std::uint64_t after_warm_up = g_allocations.load() - before;
  CHECK(while_used > 0);
  CHECK(after_warm_up == 0);  // dropping the popped prefix reuses the storage
  CHECK(in_order);
  CHECK(f.size() == pushed - popped);
  std::size_t n = 0;
  for (IoRequest* io : f) CHECK(io == &ios[(popped + n++) % ios.size()]);
  CHECK(n == f.size());
}

TEST_CASE("selectors: cost per I/O (select + dispatch + complete)", "[.bench]") {
  std::printf("%-28s %10s\n", "policy", "ns/io");
  for (const PolicyInfo& info : registered_policies()) {
    auto sel = make_selector({info.name, {}});
    Workload w;
    for (int i = 0; i < 1000; ++i) w.step(*sel);
    constexpr int kIos = 2'000'000;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kIos; ++i) w.step(*sel);
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start);
    std::printf("%-28s %10.1f\n", info.name.c_str(), double(ns.count()) / kIos);
  }
  SUCCEED();
}
