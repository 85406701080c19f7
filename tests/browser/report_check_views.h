// The charts report.html's sweep and validate views must hold, computed from the result files
// alone (not from the page's data): chart id -> series name -> points.
#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace report_check {

using Counts = std::map<std::string, long>;
using Charts = std::map<std::string, Counts>;

// A sweep directory (plan.json, sweep.json) or a sizing directory (v-VALUE one-point sweeps).
Charts expected_sweep_charts(const std::filesystem::path& dir);
// A validate results directory (<scenario>/validation.json).
Charts expected_validate_charts(const std::filesystem::path& dir);

std::string slurp(const std::filesystem::path& file);

}  // namespace report_check
