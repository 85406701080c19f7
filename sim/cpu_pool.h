// A host's or target node's cores as the data path sees them: work runs to completion on the
// core that frees up first (no preemption, no time slicing).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace mpsim::sim {

// Cores of a host or target node: each new piece of work starts on the core free first.
// free_at is a min-heap: the earliest-free core is at the front.
struct CpuPool {
  explicit CpuPool(std::uint32_t cores = 1) : free_at(std::max<std::uint32_t>(cores, 1), 0) {}
  std::vector<std::int64_t> free_at;
  std::int64_t run(std::int64_t now, std::int64_t cost);
};


}  // namespace mpsim::sim
