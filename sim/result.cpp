#include "sim/result.h"

namespace mpsim::sim {

double DirectionStats::iops() const {
  return runtime.count() > 0 ? double(total_ios) * 1e9 / double(runtime.count()) : 0;
}

double DirectionStats::bw_bytes() const {
  return runtime.count() > 0 ? double(io_bytes) * 1e9 / double(runtime.count()) : 0;
}

}  // namespace mpsim::sim
