// Renders the guest's init script: the plan as shell variables, the fault schedule as a
// function of `at_ms T; action` lines, then validate/guest/lib.sh does the work.
#pragma once

#include <string>

#include "validate/guest_plan.h"

namespace mpsim::validate {

// Sampling period of the guest's per-path counter/state sampler.
inline constexpr const char* kGuestSamplePeriodS = "0.02";

// `lib_path` and `results_dir` are host paths; the guest sees the host's / through hostfs.
std::string render_guest_init(const GuestPlan& plan, const std::string& lib_path, const std::string& results_dir);

// Single-quoted for POSIX shells ('it'\''s').
std::string shell_quote(const std::string& text);

}  // namespace mpsim::validate
