// The real side of a validation run: every scenario `repetitions` times, each in its own guest
// boot, interleaved (repetition 1 of every scenario, then repetition 2, ...) so a slow phase of
// the host hits different scenarios, and resumable: a (scenario, repetition) whose run finished
// earlier (rep-<k>/validation-real.json exists) is read back instead of booted again.
//
//   RealRunMatrix m = collect_real_runs(ordered_scenarios, 3, kernel, guest, {.reuse = false}, out);
//   m.runs["fault-gray-rr"][1]   // repetition 2, if it ran
#pragma once

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sim/scenario.h"
#include "validate/guest_runner.h"
#include "validate/real_run.h"

namespace mpsim::validate {

struct RealRunMatrix {
  // Per scenario name, index k = repetition k+1; empty when that run failed or does not exist.
  std::map<std::string, std::vector<std::optional<RealRun>>> runs;
  int failed = 0;      // runs that were due and failed (boot, analysis) or, reusing, are missing
  int booted = 0;      // guest boots this call made
  int resumed = 0;     // finished runs read back instead of booted
};

struct MatrixRunOptions {
  bool reuse = false;     // boot nothing: read every repetition that exists (repetition 1 must)
  bool progress = false;  // a progress line on stderr even when it is not a terminal
};

// Runs (or reads back) `scenarios` in the given order, repetition by repetition; one real-table
// row per run goes to `out` as it is measured. GuestRunError and GuestOutputError of one run are
// logged and counted in `failed`, not thrown.
RealRunMatrix collect_real_runs(const std::vector<sim::Scenario>& scenarios, int repetitions, const std::string& kernel,
                                GuestOptions guest, const MatrixRunOptions& options, std::ostream& out);

}  // namespace mpsim::validate
