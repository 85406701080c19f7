// Putting the reports on disk whole or not at all, and never over what mpsim did not write: the
// tree is built in a sibling directory and swapped in with one rename (RENAME_EXCHANGE), so DIR
// holds the previous result or the new one, never a mix; the previous one is then removed.
#include <stdio.h>  // renameat2
#include <fcntl.h>  // AT_FDCWD
#include <unistd.h>

#include <algorithm>
#include <regex>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "experiments/interrupt.h"
#include "experiments/fio_logs.h"
#include "experiments/reports.h"
#include "topologies/file_io.h"

namespace mpsim::experiments {
namespace {

namespace fs = std::filesystem;

using topology::write_file_atomic;

constexpr std::array<const char*, 4> kRunFiles = {"fio.json", "timeline.csv", "events.csv", "summary.json"};

// fio's log files as stage_run names them (fio::log_file_name): "<prefix>_<type>.<N>.log".
bool is_fio_log_name(const std::string& name) {
  static const std::regex kLog(R"(.+_(lat|clat|slat|iops|bw)\.[0-9]+\.log)");
  return std::regex_match(name, kLog);
}

// A policy's folder: its four files (summary.json among them), fio logs, and nothing else.
bool is_run_folder(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_regular_file(dir / "summary.json", ec)) return false;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    const bool ours = std::find(kRunFiles.begin(), kRunFiles.end(), name) != kRunFiles.end() || is_fio_log_name(name);
    if (!e.is_regular_file() || !ours) return false;
  }
  return !ec;
}

void stage_run(const fs::path& staging, const LoadedExperiment& exp, const RunReport& r) {
  fs::path dir = staging / r.run.label;
  fs::create_directories(dir);
  interrupt::throw_if_pending();
  write_file_atomic(dir / "fio.json", fio_json(r));
  interrupt::throw_if_pending();
  write_file_atomic(dir / "timeline.csv", timeline_csv(r.result));
  interrupt::throw_if_pending();
  write_file_atomic(dir / "events.csv", events_csv(r.result));
  interrupt::throw_if_pending();
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

// `staging` takes the place of `dir`; what was at `dir` ends at `staging` (removed next).
void swap_in(const fs::path& staging, const fs::path& dir) {
  if (!fs::exists(fs::symlink_status(dir))) {
    fs::rename(staging, dir);
    return;
  }
  if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, dir.c_str(), RENAME_EXCHANGE) == 0) return;
  if (errno != EINVAL && errno != ENOSYS) {
    throw fs::filesystem_error("cannot swap in the new results", staging, dir, std::error_code(errno, std::generic_category()));
  }
  // A file system without RENAME_EXCHANGE: two renames, the old tree parked beside it meanwhile.
  fs::path old = staging;
  old += ".old";
  fs::rename(dir, old);
  fs::rename(staging, dir);
  fs::rename(old, staging);
}

}  // namespace

OutputDirState check_output_dir(const std::string& dir_text) {
  fs::path dir(dir_text);
  std::error_code ec;
  fs::file_status st = fs::status(dir, ec);
  if (!fs::exists(st)) return OutputDirState::kAbsent;
  if (!fs::is_directory(st)) throw ForeignOutputError(dir_text + ": exists and is not a directory: give another --out");
  bool empty = true;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    empty = false;
    const std::string name = e.path().filename().string();
    bool ours = (name == "comparison.json" || name == "report.html") ? e.is_regular_file()
                                                                      : e.is_directory() && is_run_folder(e.path());
    if (!ours) {
      throw ForeignOutputError(dir_text + ": not empty and not an mpsim result (it holds " + name +
                               ", which mpsim does not write there): give an empty or new --out directory; "
                               "mpsim replaces only a result directory of its own");
    }
  }
  if (ec) throw ForeignOutputError(dir_text + ": cannot read: " + ec.message());
  return empty ? OutputDirState::kEmpty : OutputDirState::kOwnResult;
}

void write_reports(const std::string& dir_text, const LoadedExperiment& exp, const std::vector<RunReport>& reports) {
  fs::path dir = fs::absolute(fs::path(dir_text)).lexically_normal();
  if (!dir.has_filename()) dir = dir.parent_path();
  interrupt::Commit commit;  // an interrupt waits for the swap, or stops the staging (below)
  check_output_dir(dir.string());
  fs::path staging = dir.parent_path() / ("." + dir.filename().string() + ".mpsim-new-" + std::to_string(::getpid()));
  try {
    fs::create_directories(dir.parent_path());
    fs::remove_all(staging);
    fs::create_directory(staging);
    for (const RunReport& r : reports) stage_run(staging, exp, r);
    if (reports.size() > 1) write_file_atomic(staging / "comparison.json", comparison_json(exp, reports));
    interrupt::throw_if_pending();
    swap_in(staging, dir);
    fs::remove_all(staging);  // the previous result, if there was one
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
