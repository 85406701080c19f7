#include "experiments/fio_logs.h"

#include <algorithm>
#include <numeric>

#include "experiments/fio_stats.h"
#include "experiments/reports.h"

namespace mpsim::experiments::fio {

namespace {

constexpr std::uint64_t kFioAvgTimeMs = 500;  // iops_avg_time, bw_avg_time defaults

struct Line {
  std::uint64_t time_ms;
  std::uint64_t value;
  int ddir;
};

// One direction's lines: a line per log window that saw I/O.
void add_lines(std::vector<Line>& out, LogKind kind, const sim::DirectionStats& d, int ddir, const LogTiming& t) {
  const std::uint64_t per_log = t.avg_ms / t.window_ms;
  const std::uint64_t rate_ms = std::min(kFioAvgTimeMs, t.avg_ms);
  const std::uint64_t per_rate = rate_ms / t.window_ms;
  const std::uint64_t windows = (t.measured_ms + t.window_ms - 1) / t.window_ms;
  for (std::uint64_t first = 0; first < windows; first += per_log) {
    const std::uint64_t last = std::min(first + per_log, windows);
    const std::uint64_t end_ms = std::min(last * t.window_ms, t.measured_ms);
    std::uint64_t value = 0;
    bool any = false;
    if (kind == LogKind::Lat || kind == LogKind::Clat) {
      std::uint64_t ios = 0;
      double sum = 0;
      for (std::uint64_t w = first; w < last && w < d.windows.size(); ++w) {
        ios += d.windows[w].ios;
        sum += d.windows[w].latency_sum_ns;
      }
      any = ios > 0;
      if (any) value = std::uint64_t(sum / double(ios) + 0.5);  // __add_stat_to_log: mean + 0.50
    } else {
      // The rates fio samples inside this window (full sampling intervals with I/O), averaged.
      std::vector<std::uint64_t> rates;
      for (std::uint64_t r = first; r + per_rate <= last; r += per_rate) {
        std::uint64_t ios = 0, bytes = 0;
        for (std::uint64_t w = r; w < r + per_rate && w < d.windows.size(); ++w) {
          ios += d.windows[w].ios;
          bytes += d.windows[w].bytes;
        }
        if (ios == 0) continue;
        rates.push_back(kind == LogKind::Iops ? ios * 1000 / rate_ms : bytes * 1000 / rate_ms / 1024);
      }
      any = !rates.empty();
      if (any) value = std::uint64_t(sample_stats(rates).mean + 0.5);
    }
    if (any) out.push_back({t.offset_ms + end_ms, value, ddir});
  }
}

}  // namespace

std::uint64_t rate_interval_ms(std::uint64_t log_avg_ms) {
  return log_avg_ms == 0 ? kFioAvgTimeMs : std::min(kFioAvgTimeMs, log_avg_ms);
}

std::uint64_t window_ms_for(std::uint64_t log_avg_ms) {
  return log_avg_ms == 0 ? kFioAvgTimeMs : std::gcd(rate_interval_ms(log_avg_ms), log_avg_ms);
}

std::string log_text(LogKind kind, const sim::JobResult& job, const LogTiming& t) {
  std::vector<Line> lines;
  if (t.window_ms == 0 || t.avg_ms == 0 || t.avg_ms % t.window_ms != 0) return {};
  add_lines(lines, kind, job.read, 0, t);
  add_lines(lines, kind, job.write, 1, t);
  std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) { return a.time_ms < b.time_ms; });
  std::string out;
  for (const Line& l : lines) {
    out += std::to_string(l.time_ms) + ", " + std::to_string(l.value) + ", " + std::to_string(l.ddir) + ", 0, 0\n";
  }
  return out;
}

std::string log_file_name(const std::string& prefix, LogKind kind, std::size_t job_index) {
  const char* type = kind == LogKind::Lat ? "lat" : kind == LogKind::Clat ? "clat" : kind == LogKind::Iops ? "iops" : "bw";
  return prefix + "_" + type + "." + std::to_string(job_index + 1) + ".log";
}

}  // namespace mpsim::experiments::fio

namespace mpsim::experiments {

// Here rather than beside write_reports: the experiment loader calls it (a jobs_file asking for
// logs), and needs only the fio_* files, not the report writers.
void enable_fio_logs(LoadedExperiment& exp, std::uint64_t log_avg_ms) {
  for (PlannedRun& run : exp.runs) {
    run.fio_log_avg_ms = log_avg_ms;
    run.scenario.sample_interval = std::chrono::milliseconds(fio::window_ms_for(log_avg_ms));
  }
}

}  // namespace mpsim::experiments
