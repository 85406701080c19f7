// Regressions (issue 17, overflow): arithmetic in sim/ that passed 64 bits for values the loaders
// used to accept. The loaders now refuse such values (tests/experiments/limits_test.cpp); these
// keep the arithmetic itself safe (run under UBSan by `./mpsim test --sanitize`).
#include <catch2/catch.hpp>

#include "sim/cpu_pool.h"
#include "sim/fabric.h"

using namespace mpsim::sim;

TEST_CASE("limits: serialise_ns of a 1 GiB message on a crawling link is capped, not overflowed", "[sim][limits]") {
  FabricLink link{};
  link.ps_per_byte = 8;  // 1 Tbps
  CHECK(link.serialise_ns(1000) == 8);
  link.ps_per_byte = 80'000'000'000'000;  // 1 Kbps slowed by a gray divisor of 10000: 0.1 bit/s
  CHECK(link.serialise_ns(std::uint64_t(1) << 30) == FabricLink::kMaxSerialiseNs);
  CHECK(link.serialise_ns(1) == 80'000'000'000);
}

TEST_CASE("limits: CPU pauses with extreme parameters stay ordered in time (PauseTrack::next overflow)",
          "[sim][limits]") {
  PauseTrack rare(1e-300, 1e300, 7);  // gap and pause means far beyond 64 bits of ns
  std::int64_t last_end = rare.end();
  for (int i = 0; i < 100; ++i) {
    rare.next();
    CHECK(rare.start() >= last_end);
    CHECK(rare.end() >= rare.start());
    last_end = rare.end();
    if (last_end > (std::int64_t(1) << 61)) break;  // far past any run: stop before the clock itself ends
  }
}
