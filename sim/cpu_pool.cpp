#include "sim/cpu_pool.h"

namespace mpsim::sim {

std::int64_t CpuPool::run(std::int64_t now, std::int64_t cost) {
  const std::int64_t done = std::max(now, free_at.front()) + cost;
  // Replace the root and sift it down: the root only ever grows.
  const std::size_t n = free_at.size();
  std::size_t i = 0;
  for (;;) {
    std::size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && free_at[child + 1] < free_at[child]) ++child;
    if (free_at[child] >= done) break;
    free_at[i] = free_at[child];
    i = child;
  }
  free_at[i] = done;
  return done;
}

}  // namespace mpsim::sim
