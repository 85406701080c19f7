// Ratios that cancel the host's swings: scenarios declared as a group (validate/ratio_groups.textproto)
// run back to back in every repetition round, and the simulator's ratios between them — IOPS of
// A / B, p99 of A / B, the share of the I/O that moved between the paths — are compared with the
// kernel's ratios from the same round. A slow phase of the host slows A and B alike, so their
// ratio keeps what the comparison is about (a policy against another, a fault against none).
//
//   auto groups = load_ratio_groups("validate/ratio_groups.textproto", names);  // InputError
//   auto order = run_order(names, groups);          // each group's scenarios next to each other
//   std::vector<ScenarioComparison> r = ratio_comparisons(groups, rows_by_scenario);
#pragma once

#include <map>
#include <string>
#include <vector>

#include "validate/compare.h"
#include "validate/report.h"

namespace mpsim::validate {

struct RatioGroup {
  std::string name;
  std::string reference;             // B
  std::vector<std::string> members;  // every A
};

// Reads a RatioGroups textproto (validate/ratio_groups.proto). Names must be unique, every
// group needs a reference and a member, and — when `known` is not empty — every scenario name
// must be one of `known`. Throws topology::InputError ("FILE:LINE:COL: group[2].member[0]: ...").
std::vector<RatioGroup> load_ratio_groups(const std::string& file, const std::vector<std::string>& known);

// The order to run `names` in within a repetition round: group by group (reference, then its
// members, each scenario at its first appearance), then every scenario no group names, in the
// given order.
std::vector<std::string> run_order(const std::vector<std::string>& names, const std::vector<RatioGroup>& groups);

// One comparison per group whose reference and at least one member have runs: per member, rows
// "ratio-iops A / B", "ratio-p99 A / B" and "share-moved A / B" (half the summed absolute
// difference of the whole-run path shares, in percentage points), each merged over the
// repetitions the two have in common (validate/bands.h). `rows` maps a scenario name to its
// compare_runs rows per repetition (index = repetition - 1; an empty vector = no run).
std::vector<ScenarioComparison> ratio_comparisons(const std::vector<RatioGroup>& groups,
                                                  const std::map<std::string, std::vector<std::vector<CompareRow>>>& rows);

// Per ratio row: the kernel's median [min, max], the simulator's, the absolute (sim - real median)
// and relative ((sim - real) / real) difference and the verdict; then "ratios: N of M within the band".
std::string format_ratios(const std::vector<ScenarioComparison>& ratios);

}  // namespace mpsim::validate
