// Arithmetic shared by the report writers, with fio's formulas (stat.c) where fio has one.
#include "experiments/reports.h"

namespace mpsim::experiments {

std::optional<std::int64_t> percentile_ns(const sim::LatencyStats& stats, double pct) {
  for (const auto& [p, ns] : stats.percentiles) {
    if (p > pct - 1e-9 && p < pct + 1e-9) return ns;
  }
  return std::nullopt;
}

std::uint64_t runtime_ms(const sim::DirectionStats& d) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(d.runtime).count());
}

double fio_iops(const sim::DirectionStats& d) {
  std::uint64_t ms = runtime_ms(d);
  return ms == 0 ? 0.0 : 1000.0 * static_cast<double>(d.total_ios) / static_cast<double>(ms);
}

std::uint64_t fio_bw_bytes(const sim::DirectionStats& d) {
  std::uint64_t ms = runtime_ms(d);
  return ms == 0 ? 0 : 1000 * d.io_bytes / ms;
}

double seconds(sim::Duration d) { return static_cast<double>(d.count()) / 1e9; }

}  // namespace mpsim::experiments
