#include "sim/result.h"

#include <algorithm>

namespace mpsim::sim {

double DirectionStats::iops() const {
  return runtime.count() > 0 ? double(total_ios) * 1e9 / double(runtime.count()) : 0;
}

double DirectionStats::bw_bytes() const {
  return runtime.count() > 0 ? double(io_bytes) * 1e9 / double(runtime.count()) : 0;
}

void Timeline::rebase(Duration t) {
  std::size_t dropped = 0;
  while (dropped < intervals() && start(dropped) < t) ++dropped;
  points_.erase(points_.begin(), points_.begin() + std::ptrdiff_t(dropped * series_));
  origin_ = start(dropped) - t;
}

const std::string& RunResult::series_name(std::size_t s) const {
  static const std::string all_paths;
  return s == 0 ? all_paths : controllers[s - 1];
}

}  // namespace mpsim::sim
