// nvmet-tcp's per-queue core pinning (TargetCores) and nvmet's own keep-alive timer
// (TargetKeepAlive), on their own.
#include <catch2/catch.hpp>

#include <set>

#include "sim/target_capacity.h"
#include "sim/target_keepalive.h"

using namespace mpsim;
using namespace mpsim::sim;

namespace {
constexpr std::int64_t kS = 1'000'000'000;
}

TEST_CASE("target cores: one queue's work runs on its own core only, one after the other", "[sim][capacity]") {
  TargetCores cores(7);
  cores.add_node(4, {}, 1);
  const std::uint32_t c = cores.add_controller(0, 1);  // one I/O queue
  // Three pieces of 10 us from the same instant: on the earliest-free policy they would run on
  // three cores at once; on the queue's core they follow one another.
  CHECK(cores.run_io(c, 0, 0, 10'000) == 10'000);
  CHECK(cores.run_io(c, 0, 0, 10'000) == 20'000);
  CHECK(cores.run_io(c, 5, 0, 10'000) == 30'000);  // every job maps to the one I/O queue
  // The earliest-free way (live emulator) still finds an idle core.
  CHECK(cores.run_earliest(0, 0, 10'000) == 10'000);
}

TEST_CASE("target cores: queues spread over the node's cores by flow hash, a reconnect rehashes", "[sim][capacity]") {
  TargetCores cores(42);
  cores.add_node(8, {}, 1);
  cores.add_node(2, {}, 2);
  std::set<std::uint32_t> used;
  std::uint32_t c = 0;
  for (int k = 0; k < 4; ++k) c = cores.add_controller(0, 8);
  for (std::uint32_t q = 0; q <= 8; ++q) {
    CHECK(cores.core_of(c, q) < 8);
    used.insert(cores.core_of(c, q));
  }
  CHECK(used.size() > 3);   // spread, not all on one core
  CHECK(used.size() <= 8);
  const std::uint32_t other = cores.add_controller(1, 4);
  for (std::uint32_t q = 0; q <= 4; ++q) CHECK(cores.core_of(other, q) < 2);
  bool moved = false;
  for (std::uint32_t epoch = 1; epoch < 20 && !moved; ++epoch) {
    const std::uint32_t before = cores.core_of(c, 1);
    cores.bind(c, epoch);
    moved = cores.core_of(c, 1) != before;
  }
  CHECK(moved);
  // Two jobs whose queues share a core contend; on different cores they do not.
  TargetCores two(42);
  two.add_node(2, {}, 1);
  const std::uint32_t t = two.add_controller(0, 2);
  const bool shared = two.core_of(t, 1) == two.core_of(t, 2);
  two.run_io(t, 0, 0, 10'000);
  CHECK(two.run_io(t, 1, 0, 10'000) == (shared ? 20'000 : 10'000));
}

TEST_CASE("target cores: same seed, same pinning; another seed may differ", "[sim][capacity]") {
  auto pins = [](std::uint64_t seed) {
    TargetCores cores(seed);
    cores.add_node(16, {}, 1);
    const std::uint32_t c = cores.add_controller(0, 16);
    std::vector<std::uint32_t> out;
    for (std::uint32_t q = 0; q <= 16; ++q) out.push_back(cores.core_of(c, q));
    return out;
  };
  CHECK(pins(3) == pins(3));
  CHECK(pins(3) != pins(4));
}

TEST_CASE("target keep-alive: expires kato after the last arming without traffic", "[sim][keepalive]") {
  TargetKeepAlive ka;
  ka.add(0, 5 * kS);
  ka.start(0, 0);
  CHECK(ka.alive(0, 5 * kS - 1));
  CHECK_FALSE(ka.alive(0, 5 * kS));  // created, nothing since: the work finds reset_tbkas clear
  // kato rounds up to whole seconds (nvmet_alloc_ctrl), 0 = no timer
  ka.add(1, 1'500'000'000);
  CHECK(ka.kato_ns(1) == 2 * kS);
  ka.add(2, 0);
  ka.start(2, 0);
  CHECK(ka.alive(2, 1000 * kS));
}

TEST_CASE("target keep-alive: a command defers expiry to the firing after next (TBKAS)", "[sim][keepalive]") {
  TargetKeepAlive ka;
  ka.add(0, 5 * kS);
  ka.start(0, 0);       // fires at 5 s
  ka.command(0, 1 * kS, false);
  CHECK(ka.alive(0, 9 * kS));   // 5 s: reset_tbkas set, re-armed to 10 s
  CHECK_FALSE(ka.alive(0, 10 * kS));
  CHECK(ka.expires(0) == 10 * kS);
  ka.command(0, 7 * kS, false);  // after the 5 s re-arm: fires at 10 s with traffic, then 15 s
  CHECK(ka.alive(0, 14 * kS));
  CHECK_FALSE(ka.alive(0, 15 * kS));
}

TEST_CASE("target keep-alive: Keep Alive re-arms kato from now, and counts as traffic", "[sim][keepalive]") {
  TargetKeepAlive ka;
  ka.add(0, 5 * kS);
  ka.start(0, 0);
  ka.command(0, 4 * kS, true);  // mod_delayed_work: fires at 9 s, reset_tbkas set -> 14 s
  CHECK(ka.alive(0, 13 * kS));
  CHECK_FALSE(ka.alive(0, 14 * kS));
  // A host that sends a keep-alive every kato/2 never lets it expire.
  for (std::int64_t t = 6; t < 60; t += 2) {
    REQUIRE(ka.alive(0, t * kS + kS / 2));
    ka.command(0, t * kS + kS / 2, true);
  }
  CHECK(ka.alive(0, 61 * kS));
}

TEST_CASE("target keep-alive: an expiry is reported once per controller life", "[sim][keepalive]") {
  TargetKeepAlive ka;
  ka.add(0, 2 * kS);
  ka.start(0, 0);
  CHECK_FALSE(ka.newly_expired(0, 1 * kS));
  CHECK(ka.newly_expired(0, 3 * kS));
  CHECK_FALSE(ka.newly_expired(0, 4 * kS));
  ka.start(0, 10 * kS);  // a new connection: a new controller, a new timer
  CHECK(ka.alive(0, 11 * kS));
  CHECK(ka.newly_expired(0, 12 * kS));
}
