// The real side of a validation run: every scenario `repetitions` times, interleaved (repetition
// 1 of every scenario, then repetition 2, ...) so a slow phase of the host hits different
// scenarios, and resumable: a (scenario, repetition) whose run finished earlier
// (rep-<k>/validation-real.json exists) is read back instead of booted again. A ratio group's
// scenarios that can share a boot run back to back in ONE guest boot per repetition
// (shared_boot_units), so the host's swings between boots do not enter their ratios.
//
//   auto units = shared_boot_units(ordered_scenarios, groups);
//   RealRunMatrix m = collect_real_runs(ordered_scenarios, units, 3, kernel, guest, {.reuse = false}, out);
//   m.runs["fault-gray-rr"][1]   // repetition 2, if it ran
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sim/scenario.h"
#include "validate/guest_runner.h"
#include "validate/ratios.h"
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

// The boots of one repetition round, as indices into `scenarios` (each scenario in exactly one,
// the boots in the order of their first scenario). Scenarios linked by ratio groups (a group's
// reference and members; groups sharing a scenario join) share a boot when their plans can
// (can_share_boot: the same kernel command line, no dm mode, no cgroups), in `scenarios` order;
// one that cannot boots alone. A scenario the guest cannot plan boots alone (its error comes then).
std::vector<std::vector<std::size_t>> shared_boot_units(const std::vector<sim::Scenario>& scenarios,
                                                        const std::vector<RatioGroup>& groups);

// Runs (or reads back) `scenarios` boot unit by boot unit (`units`: shared_boot_units; empty = one
// boot per scenario), repetition by repetition; one real-table row per run goes to `out` as it is
// measured. A unit whose every run finished earlier is read back; otherwise the whole unit boots
// again (its ratios come from one boot). GuestRunError and GuestOutputError are logged and counted
// in `failed`, not thrown.
RealRunMatrix collect_real_runs(const std::vector<sim::Scenario>& scenarios, const std::vector<std::vector<std::size_t>>& units,
                                int repetitions, const std::string& kernel, GuestOptions guest, const MatrixRunOptions& options,
                                std::ostream& out);

}  // namespace mpsim::validate
