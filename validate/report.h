// The readable side of `mpsim validate`: per scenario, one line per measure with the real and
// simulated figures, the tolerance and PASS/FAIL; at the end the agreement per measure. The
// summary never says "N passed, M failed" (CI reads that phrase as a test count).
#pragma once

#include <string>
#include <vector>

#include "validate/calibration.h"
#include "validate/compare.h"

namespace mpsim::validate {

struct ScenarioComparison {
  std::string scenario;
  std::string policy;
  std::vector<CompareRow> rows;
};

// The kind a measure is counted under: "stall_ms f1" -> "stall_ms", "share nvmet.p1" -> "share",
// "ratio-iops a / b" -> "ratio-iops"; "path choice" stays whole; per-phase rows are "phase choice"
// and "phase share".
std::string measure_kind(const std::string& measure);

// A value as the report prints it: "none" for -1 timings, "12.3%" for shares, whole numbers
// for IOPS and milliseconds, one decimal for microseconds.
std::string format_value(const std::string& measure, double value);

// "scenario <name> (<policy>)" and one aligned line per row.
std::string format_scenario(const ScenarioComparison& c);

// Per measure kind (iops, p50_us, ..., share, path choice, stall_ms, detect_ms, recover_ms,
// errors, phase choice, phase share): rows within tolerance of rows compared; then the
// conformance line; then "agreement: N of M rows within tolerance".
std::string format_agreement(const std::vector<ScenarioComparison>& all);

// The per-phase rows (validate/conformance.h) alone: "conformance after state changes: N of M
// rows within tolerance (K phases too short to judge)". A too-short phase counts as not within.
std::string format_conformance(const std::vector<ScenarioComparison>& all);

// The issue-15 targets against what this run measured: stall, detect and errors rows >= 95 % within
// the kernel's band, IOPS, p50 and p99 >= 80 % within the band widened by the tolerance, ratio
// rows (`ratios`, validate/ratios.h) >= 90 %; one line per measure with "met" or "missed".
std::string format_targets(const std::vector<ScenarioComparison>& all, const std::vector<ScenarioComparison>& ratios);

// The fitted parameters and the four calibration runs, for the top of the report.
std::string format_calibration(const Calibration& c);

// The QD16 randread calibration at the start and again at the end of the run: the host's drift,
// a floor under how well any IOPS row can agree.
std::string format_drift(double start_iops, double end_iops);

}  // namespace mpsim::validate
