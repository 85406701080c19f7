// Per-purpose random streams derived from the scenario seed (SplitMix64), so every component's
// draws depend only on the seed and its own order, never on another component's.
#pragma once

#include <cstdint>

namespace mpsim::sim {

inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

}  // namespace mpsim::sim
