// Renders the guest's init script: the plan as shell variables, the fault schedule as a
// function of `at_ms T; action` lines, then validate/guest/lib.sh does the work.
#pragma once

#include <string>
#include <vector>

#include "validate/guest_plan.h"

namespace mpsim::validate {

// Sampling period of the guest's per-path counter/state sampler.
inline constexpr const char* kGuestSamplePeriodS = "0.02";

// `lib_path` and `results_dir` are host paths; the guest sees the host's / through hostfs.
std::string render_guest_init(const GuestPlan& plan, const std::string& lib_path, const std::string& results_dir);

// One init for several scenarios in one boot (lib.sh scn_main_shared): each runs back to back
// with its results in results_dirs[i], the guest's setup taken down between them. The plans must
// share a boot (can_share_boot).
std::string render_shared_guest_init(const std::vector<GuestPlan>& plans, const std::vector<std::string>& results_dirs,
                                     const std::string& lib_path);

// Whether two plans can run in the same boot: the same kernel command line, and neither needs
// the dm mode's multipathd/udevd nor cgroups (set up once per boot).
bool can_share_boot(const GuestPlan& a, const GuestPlan& b);

// Single-quoted for POSIX shells ('it'\''s').
std::string shell_quote(const std::string& text);

}  // namespace mpsim::validate
