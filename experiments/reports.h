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

// Writes every report under `dir` (created if needed). Files are first written to a staging
// directory inside `dir` and moved into place only when all of them were written, so a failure
// leaves no partial output. Throws std::runtime_error naming the file that could not be written.
void write_reports(const std::string& dir, const LoadedExperiment& exp, const std::vector<RunReport>& reports);

// Helpers shared by the writers.
std::optional<std::int64_t> percentile_ns(const sim::LatencyStats& stats, double pct);  // exact key match
std::uint64_t runtime_ms(const sim::DirectionStats& d);
double fio_iops(const sim::DirectionStats& d);          // 1000 * total_ios / runtime_ms
std::uint64_t fio_bw_bytes(const sim::DirectionStats& d);  // 1000 * io_bytes / runtime_ms
double seconds(sim::Duration d);

}  // namespace mpsim::experiments
