// Real kernel vs simulator, scenario by scenario: one row per measure, each with its stated
// tolerance and a verdict. The simulator is not calibrated to the guest yet, so absolute
// figures (IOPS, latency) are expected to fail until models/ are fitted from calibration runs.
#pragma once

#include <string>
#include <vector>

#include "sim/result.h"
#include "validate/real_run.h"

namespace mpsim::validate {

struct CompareRow {
  std::string measure;     // "iops", "p50_us", "share guest/nvmet.p1", "stall_ms f1", "errors"
  double real = 0;
  double sim = 0;
  std::string tolerance;   // "10%", "3pp", "20% or 100ms", "exact"
  bool pass = false;
};

// Tolerances from the issue: IOPS 10%, p50 15%, p99 30%, split 3 percentage points,
// stall 20% or 100 ms, errors exact.
std::vector<CompareRow> compare_runs(const RealRun& real, const sim::RunResult& sim);

// validation.json for one scenario: the rows and whether all passed.
std::string comparison_json(const std::string& scenario, const std::vector<CompareRow>& rows);

}  // namespace mpsim::validate
