// The whole `mpsim validate` run as one library call: load and plan the scenarios, calibrate the
// simulator (in the guest, from a saved calibration.json, or not at all), run every scenario on
// the real kernel (or read the runs back), simulate each with the calibrated models and compare.
//
//   validate::ValidateOptions opt;  opt.source_dir = MPSIM_SOURCE_DIR;  opt.results = "validate-results";
//   validate::Verdict v = validate::run(opt, std::cout);
//
// The CLI only parses flags into ValidateOptions and maps the verdict and the thrown errors to
// exit codes.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sim/scenario.h"
#include "validate/calibration.h"
#include "validate/guest_runner.h"
#include "validate/ratios.h"
#include "validate/real_run.h"
#include "validate/report.h"

namespace mpsim::validate {

struct ValidateOptions {
  std::string source_dir;   // the mpsim checkout: validate/scenarios, validate/guest, validate/calibration
  bool smoke = false;       // one short two-path scenario; checks path choice only, no calibration
  bool dry_run = false;     // plan and write each scenario's init.sh and plan.txt, boot nothing
  bool no_sim = false;      // only the real kernel, no simulator comparison
  bool reuse_runs = false;  // boot nothing: compare with the real runs already under `results`
  std::string results = "validate-results";
  std::string calibration;  // a saved calibration.json; empty = calibrate in the guest first
  int timeout_s = 300;      // per guest boot
  int repeat = 0;           // runs per scenario, each its own boot; 0 = 3 for the full matrix, 1 otherwise
  bool progress = false;    // the progress line on stderr also when it is not a terminal
  std::vector<std::string> scenarios;  // experiment files; empty = every validate/scenarios/*.textproto
};

enum class Verdict {
  ok,            // every scenario ran and (when compared) every row is within tolerance
  check_failed,  // a scenario failed to run, the smoke's claim failed, or a row is out of tolerance
  bad_input,     // nothing to run
};

// Layout under options.results: calibration.json and calibration/ (start), calibration-end/,
// <scenario>/rep-<k>/ (repetition k's guest files, validation-real.json, validation.json),
// <scenario>/validation.json (the rows merged over the repetitions), report.txt or, with
// reuse_runs, report-reused.txt. A rerun with the same results resumes: it reuses calibration.json
// and reads back every run that finished. Runs of the layout before repetitions
// (<scenario>/guest-exit) are read as repetition 1.
//
// Runs the validation; the rows, the per-scenario comparisons and the agreement go to `out` as
// they are measured, the files under options.results. Throws topology::InputError and
// GuestPlanError for bad scenarios (before any guest boots), CalibrationError, GuestRunError and
// GuestOutputError when calibration fails.
Verdict run(const ValidateOptions& options, std::ostream& out);

// Each experiment file's runs as scenarios (one per compared policy, named <scenario>-<label>),
// every one planned for the guest. Throws InputError / GuestPlanError.
std::vector<sim::Scenario> load_scenarios(const std::vector<std::string>& files);

// The scenario groups whose ratios are compared (validate/ratio_groups.textproto; none if the
// file is missing or for the smoke); names are checked against `scenarios` when `whole_matrix`.
std::vector<RatioGroup> matrix_ratio_groups(const ValidateOptions& options, const std::vector<sim::Scenario>& scenarios,
                                            bool whole_matrix);

// Simulates `s` as the guest ran it (calibrated models when given, the guest's kernel settings
// and its measured fault timeline) and compares it with the real run, row by row.
// Throws what the simulator throws.
ScenarioComparison compare_with_sim(sim::Scenario s, const RealRun& real, const std::optional<Calibration>& calibration);

// The smoke's claim: the guest ran, both paths carried I/O, fio saw no error, and the simulator
// chose the same paths (path choice does not depend on calibration). `out` gets the path-choice line.
bool smoke_holds(sim::Scenario s, const RealRun& run, std::ostream& out);

// One row of the real-kernel table (and its header): IOPS, latencies, split, stall, errors, timings.
std::string format_real_header();
std::string format_real_row(const RealRun& run);

}  // namespace mpsim::validate
