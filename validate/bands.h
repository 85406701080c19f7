// The kernel's spread: every scenario runs several times (separate guest boots, validate/README.md
// "Repetitions"), each repetition is compared row by row with the simulator given that boot's
// timeline (compare_runs), and a band row merges one measure over the repetitions: the kernel's
// median and [min, max], the simulator's median, and PASS when the simulator lies in the kernel's
// band widened by the row's tolerance. With one repetition a band row is the plain row.
#pragma once

#include <string>
#include <vector>

#include "validate/compare.h"
#include "validate/report.h"

namespace mpsim::validate {

// How far outside the band a value may lie: max(fraction x |edge|, floor), in the measure's unit.
struct Tolerance {
  double fraction = 0;
  double floor = 0;
};

// The tolerance a row states: "10%", "3pp", "20% or 100ms", "exact". Throws std::invalid_argument
// on any other text (a new tolerance form must be taught here).
Tolerance parse_tolerance(const std::string& text);

// The lower median: the middle value, or the lower of the two middle ones.
double lower_median(std::vector<double> values);

// Merges the rows of each repetition (`per_repetition[k]` = rows of repetition k+1, matched by
// measure name in the order they first appear). Numbers: real = median, real_min/real_max the
// band over the repetitions that saw the event (a negative "never" value counts only as "never
// seen"), sim = the simulator's median; a negative sim passes only if some repetition never saw
// the event either. Text rows (path choice): PASS when the simulator's most frequent text is one
// the kernel showed and no side was "too short"; real_text lists the kernel's distinct texts.
std::vector<CompareRow> band_rows(const std::vector<std::vector<CompareRow>>& per_repetition);

// Per measure kind: how wide the kernel's band is relative to its median (rows with at least two
// repetitions and a positive median): the median and the largest width, i.e. what a comparison
// of that measure can resolve.
std::string format_noise_floor(const std::vector<ScenarioComparison>& all);

}  // namespace mpsim::validate
