// Real kernel vs simulator, scenario by scenario: one row per measure, each with its stated
// tolerance and a verdict. Absolute figures (IOPS, latency) are meaningful only once the
// simulator runs with the calibrated models (validate/calibration.h).
#pragma once

#include <string>
#include <vector>

#include "sim/result.h"
#include "validate/real_run.h"

namespace mpsim::validate {

// A path "carried I/O" above this share: a failover leaves a few stray I/Os on a path the
// policy does not choose, which is not a choice.
inline constexpr double kChosenShare = 0.01;
// The split tolerance of issue 5, in percentage points.
inline constexpr double kSplitTolerancePp = 3.0;

struct CompareRow {
  std::string measure;     // "iops", "p50_us", "share nvmet.p1", "stall_ms f1", "detect_ms f1", "path choice"
  double real = 0;         // -1 = never happened (detect/recover)
  double sim = 0;
  std::string tolerance;   // "10%", "3pp", "20% or 100ms", "exact"
  bool pass = false;
  std::string real_text;   // set for measures that are not numbers ("path choice")
  std::string sim_text;
  // A row merged over repetitions (validate/bands.h): real is the kernel's median, this its band.
  int repetitions = 1;
  double real_min = 0;
  double real_max = 0;
};

// Tolerances (issue 5 and validate/README.md): IOPS 10%, p50 15%, p99 and p99.9 30%, split
// 3 percentage points, stall 20% or 100 ms, detect 20% or 100 ms, recover 30% or 200 ms,
// errors and path choice exact. Runs with faults add the per-phase rows of
// validate/conformance.h after these.
std::vector<CompareRow> compare_runs(const RealRun& real, const sim::RunResult& sim);

// The paths that carried at least 1% of the I/O, as "nvmet.p1+nvmet.p2" in path order.
std::string real_path_choice(const RealRun& real);
std::string sim_path_choice(const RealRun& real, const sim::RunResult& sim);

// validation.json for one scenario: the rows and whether all passed.
std::string comparison_json(const std::string& scenario, const std::vector<CompareRow>& rows);

}  // namespace mpsim::validate
