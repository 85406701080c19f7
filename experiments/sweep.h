// Sweeps: an experiment run at every point of a set of axes (override paths and their values).
// The executor contract (local -j N, Slurm arrays) is three steps over one directory:
//
//   plan_sweep()     DIR/points/NNNN.textproto (each an ordinary, resolved experiment that
//                    `mpsim run` reruns alone) and DIR/plan.json (axes, point count, values per point)
//   run_points()     DIR/points/NNNN.result.json per point, written atomically (temp + rename);
//                    a failing point's file says "failed": true and why
//   collect_sweep()  DIR/sweep.csv and DIR/sweep.json from the result files, SLOs judged
//
// A point's seed comes from the experiment's seed and the point's axis values (not its index),
// so results do not depend on the order, the executor or -j.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "experiments/experiment.pb.h"
#include "experiments/slo.h"

namespace mpsim::experiments {

struct SweepAxis {
  std::string path;  // an override path, or "policy" (values: policy names, "name(k=v,...)")
  std::vector<std::string> values;
};

struct SweepPoint {
  std::size_t index = 0;
  std::vector<std::pair<std::string, std::string>> values;  // (path, value) in axis order
  std::uint64_t seed = 0;
};

struct SweepRequest {
  std::string experiment_file;
  std::vector<SweepAxis> cli_axes;          // added to (or replacing, same path) the file's axes
  std::string mode;                         // "", "grid" or "zip" ("" = the file's)
  std::vector<std::string> overrides;       // --set, applied to every point first
  std::vector<std::string> slos;            // --slo, added to every point's slo list
};

// "PATH=v1,v2,..." (commas inside [] or {} do not split). Throws std::invalid_argument.
SweepAxis parse_axis(const std::string& text);

std::uint64_t point_seed(std::uint64_t experiment_seed, const std::vector<std::pair<std::string, std::string>>& values);

// Checks every point (loads it like `mpsim run` would) before writing anything; throws
// topology::InputError / std::invalid_argument on bad input, and std::invalid_argument when
// `dir` is neither absent, empty, nor a sweep directory (plan.json): a sweep never writes into
// a directory of someone else's. Returns the point count.
std::size_t plan_sweep(const SweepRequest& request, const std::string& dir);

std::size_t planned_point_count(const std::string& dir);  // from plan.json; throws when absent
std::string point_file(const std::string& dir, std::size_t index, const std::string& suffix);

// Runs points [first, first + count) that have no complete result yet (clamped to the plan).
// Returns how many ran.
std::size_t run_points(const std::string& dir, std::size_t first, std::size_t count);

// True when the point's result file exists and belongs to the current point file.
bool point_finished(const std::string& dir, std::size_t index);

// Records point `index` of DIR as failed with `reason` in the same result-file format (so
// collect_sweep gives it a failed row): what an executor writes for a point its worker never ran.
void record_failed_point(const std::string& dir, std::size_t index, const std::string& reason);

struct CollectOutcome {
  std::vector<std::size_t> failed_points;
  std::vector<std::pair<std::size_t, SloOutcome>> slo_results;  // (point, outcome)
  std::size_t failed_slos = 0;
};

// Writes sweep.csv and sweep.json; throws std::runtime_error naming missing points.
CollectOutcome collect_sweep(const std::string& dir);

// Called as points finish: `done` of `total` have a result, `ran` of them ran in this call,
// simulating `simulated_ios` I/Os (completed and failed, every policy). For progress lines only.
using PointsDone = std::function<void(std::size_t done, std::size_t total, std::size_t ran, std::uint64_t simulated_ios)>;

// Runs the planned points with `jobs` child processes of `self_exe` ("sweep-run DIR --index I").
// Returns false if a child failed to start or was killed.
bool run_locally(const std::string& self_exe, const std::string& dir, unsigned jobs, const PointsDone& on_done = {});

}  // namespace mpsim::experiments
