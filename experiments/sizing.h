// Sizing search: the largest value of one axis at which every SLO holds, assuming the SLOs hold
// below some boundary and fail above it. Galloping (min, 2 min, 4 min, ... or doubling the step
// from min) finds a failing value, then bisection narrows the gap to one step (integers) or to
// `tolerance` of the value (reals). Every value is a one-point sweep in OUT/v-<value>, so a
// rerun reuses what was computed; a value that passes above a failing one is reported as
// non-monotone rather than hidden.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "experiments/sweep.h"

namespace mpsim::experiments {

struct SizingRequest {
  SweepRequest base;       // experiment, --set, --slo (its cli_axes stay empty)
  std::string path;        // the axis
  double min = 1;
  std::optional<double> max;
  bool integer = false;
  double tolerance = 0.01; // reals: stop when the gap is below this share of the passing value
};

struct SizingProbe {
  double value = 0;
  bool passed = false;
  std::string why;         // first failed SLO (or the point's failure), "" when passed
};

struct SizingResult {
  std::vector<SizingProbe> probes;       // in value order
  std::optional<double> largest_passing;
  std::optional<double> smallest_failing;
  std::vector<std::string> non_monotone; // e.g. "passes at 12 above a failure at 8"
};

// `run_dir` runs the planned points of a directory (the CLI: run_locally with child processes).
using RunPlannedDir = std::function<void(const std::string& dir)>;
SizingResult size_search(const SizingRequest& req, const std::string& out_dir, const RunPlannedDir& run_dir);

std::string format_axis_value(double v, bool integer);

}  // namespace mpsim::experiments
