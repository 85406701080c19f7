// Reports of a finished experiment: every function turns results into text, deterministically
// (same inputs -> same bytes; nothing reads the wall clock). write_reports() puts them on disk.
//
//   DIR/<policy label>/fio.json      fio's --output-format=json shape, readable by fio tooling
//   DIR/<policy label>/timeline.csv  per interval and per path: completions, IOPS, p50, p99, max
//   DIR/<policy label>/events.csv    faults, controller and ANA state changes, failovers
//   DIR/<policy label>/summary.json  everything, machine-readable (jobs, paths, faults, ledger)
//   DIR/<policy label>/<job>_{lat,clat,iops,bw}.N.log  fio's logs, when asked for (enable_fio_logs)
//   DIR/comparison.json              the policies side by side (only when several ran)
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "experiments/experiment_loader.h"
#include "sim/result.h"

namespace mpsim::experiments {

// One policy's run and what it measured.
struct RunReport {
  const PlannedRun& run;
  const sim::RunResult& result;
};

std::string fio_json(const RunReport& r);

// Every run writes fio's log files with log_avg_msec = `log_avg_ms` (> 0); the simulator then
// keeps its per-job sample windows fine enough for them. Call before running.
void enable_fio_logs(LoadedExperiment& exp, std::uint64_t log_avg_ms);
std::string timeline_csv(const sim::RunResult& result);
std::string events_csv(const sim::RunResult& result);
std::string summary_json(const LoadedExperiment& exp, const RunReport& r);
std::string comparison_json(const LoadedExperiment& exp, const std::vector<RunReport>& reports);
// The stdout table: one column per policy.
std::string summary_table(const LoadedExperiment& exp, const std::vector<RunReport>& reports);

// An --out directory that holds something mpsim did not write (or is a file): never written into.
class ForeignOutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class OutputDirState { kAbsent, kEmpty, kOwnResult };
// What is at `dir` now; throws ForeignOutputError unless it is absent, empty, or a result of
// `mpsim run --out` (comparison.json, report.html and policy folders of the four files only).
// Commands check it before running so a refusal costs no simulation.
OutputDirState check_output_dir(const std::string& dir);

// Replaces `dir` whole by the reports of this run: built in a sibling directory, swapped in with
// one rename, the previous result removed after. A failure or an interrupt (interrupt.h) leaves
// `dir` as it was. Throws ForeignOutputError (see check_output_dir), interrupt::Interrupted, or
// std::runtime_error naming the file that could not be written.
void write_reports(const std::string& dir, const LoadedExperiment& exp, const std::vector<RunReport>& reports);

// Helpers shared by the writers.
std::optional<std::int64_t> percentile_ns(const sim::LatencyStats& stats, double pct);  // exact key match
std::uint64_t runtime_ms(const sim::DirectionStats& d);
double fio_iops(const sim::DirectionStats& d);          // 1000 * total_ios / runtime_ms
std::uint64_t fio_bw_bytes(const sim::DirectionStats& d);  // 1000 * io_bytes / runtime_ms
double seconds(sim::Duration d);

}  // namespace mpsim::experiments
