// Putting the reports on disk all-or-nothing: staged in DIR/.tmp-<pid>, moved into place last.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "experiments/fio_logs.h"
#include "experiments/reports.h"
#include "topologies/file_io.h"

namespace mpsim::experiments {
namespace {

namespace fs = std::filesystem;

using topology::write_file_atomic;

void stage_run(const fs::path& staging, const LoadedExperiment& exp, const RunReport& r) {
  fs::path dir = staging / r.run.label;
  fs::create_directories(dir);
  write_file_atomic(dir / "fio.json", fio_json(r));
  write_file_atomic(dir / "timeline.csv", timeline_csv(r.result));
  write_file_atomic(dir / "events.csv", events_csv(r.result));
  write_file_atomic(dir / "summary.json", summary_json(exp, r));
  if (r.run.fio_log_avg_ms == 0) return;
  fio::LogTiming t;
  t.window_ms = std::uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(r.run.scenario.sample_interval).count());
  t.avg_ms = r.run.fio_log_avg_ms;
  for (std::size_t i = 0; i < r.result.jobs.size(); ++i) {
    const sim::JobResult& job = r.result.jobs[i];
    t.measured_ms = std::max(runtime_ms(job.read), runtime_ms(job.write));
    t.offset_ms = 0;
    for (const sim::JobSpec& spec : r.run.scenario.jobs) {
      if (job.name == spec.name || job.name.rfind(spec.name + ".", 0) == 0) {
        t.offset_ms = std::uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(spec.ramp_time).count());
      }
    }
    for (fio::LogKind kind : fio::kAllLogs) {
      write_file_atomic(dir / fio::log_file_name(job.name, kind, i), fio::log_text(kind, job, t));
    }
  }
}

// Replaces each staged entry's namesake in `dir`.
void publish(const fs::path& staging, const fs::path& dir) {
  std::vector<fs::path> entries;
  for (const fs::directory_entry& e : fs::directory_iterator(staging)) entries.push_back(e.path().filename());
  std::sort(entries.begin(), entries.end());
  for (const fs::path& name : entries) {
    fs::remove_all(dir / name);
    fs::rename(staging / name, dir / name);
  }
}

}  // namespace

void write_reports(const std::string& dir_text, const LoadedExperiment& exp, const std::vector<RunReport>& reports) {
  fs::path dir(dir_text);
  fs::path staging = dir / (".tmp-" + std::to_string(::getpid()));
  try {
    fs::create_directories(dir);
    fs::remove_all(staging);
    fs::create_directory(staging);
    for (const RunReport& r : reports) stage_run(staging, exp, r);
    if (reports.size() > 1) write_file_atomic(staging / "comparison.json", comparison_json(exp, reports));
    publish(staging, dir);
    if (reports.size() <= 1) fs::remove(dir / "comparison.json");  // a stale one would describe another run
    fs::remove_all(staging);
  } catch (const fs::filesystem_error& e) {
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    throw std::runtime_error(std::string("cannot write the reports under ") + dir.string() + ": " + e.what());
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    throw;
  }
}

}  // namespace mpsim::experiments
