// Running scenarios on the real kernel: build (or reuse) the UML guest kernel, write the
// guest init for a scenario, boot it, and analyse what it wrote.
//
//   GuestOptions opt{.source_dir = MPSIM_SOURCE_DIR, .results_dir = "validate-results"};
//   std::string kernel = ensure_guest_kernel(opt);          // validate/guest/build-kernel.sh
//   RealRun real = run_in_guest(scenario, kernel, opt);     // results in <results_dir>/<scenario>/
//   opt.repetition = 2;                                      // ... or in <results_dir>/<scenario>/rep-2/
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/scenario.h"
#include "validate/guest_plan.h"
#include "validate/real_run.h"

namespace mpsim::validate {

struct GuestOptions {
  std::string source_dir;           // the mpsim checkout (validate/guest/*.sh live there)
  std::string results_dir;          // one subdirectory per scenario is written here
  int timeout_s = 300;              // per boot
  std::string memory = "384M";
  // 0: one run per scenario in <results_dir>/<scenario>/ (calibration, smoke); k >= 1: the k-th
  // repetition of the scenario, in <results_dir>/<scenario>/rep-<k>/ (validate/README.md "Layout").
  int repetition = 0;
  // Each boot first runs the speed probe (boot_probe.h) into <first scenario's dir>/probe/ (a dm
  // boot too, before its multipathd starts). Off for calibration runs and the smoke.
  bool boot_probe = false;
};

// The guest could not be built or did not finish; what() says why and where the log is.
class GuestRunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Path of the cached UML kernel binary; builds it first if needed (minutes).
std::string ensure_guest_kernel(const GuestOptions& options);

struct PreparedRun {
  GuestPlan plan;
  std::string dir;                  // absolute: run_dir(options, scenario)
};

// Plans the scenario and writes init.sh and plan.txt into a fresh results directory (no boot).
PreparedRun prepare_guest_run(const sim::Scenario& scenario, const GuestOptions& options);

// The init one boot runs for these prepared scenarios (same boot: can_share_boot), written into
// the first one's directory: init.sh itself for one scenario without a probe, else
// init-shared.sh (the probe first when options.boot_probe, then each scenario).
std::string write_boot_init(const std::vector<PreparedRun>& prepared, const GuestOptions& options);

// Plans (GuestPlanError), boots (GuestRunError) and analyses (GuestOutputError) one scenario;
// writes init.sh, plan.txt and validation-real.json next to the guest's own files.
RealRun run_in_guest(const sim::Scenario& scenario, const std::string& kernel, const GuestOptions& options);
// One scenario of a shared boot: its analysed run, or why there is none.
struct SharedBootRun {
  std::optional<RealRun> run;
  std::string error;
};

// Runs `scenarios` (same kernel command line and setup: can_share_boot, checked; GuestPlanError
// otherwise) back to back in ONE guest boot, each in its own run_dir; analyses each and writes its
// validation-real.json. The boot's console.log and boot-wall-ms go to the first scenario's
// directory; every other one gets a `shared-boot` file naming it. The timeout is per scenario.
// GuestRunError when the boot itself failed; a scenario that failed inside it has its `error`.
std::vector<SharedBootRun> run_in_one_guest(const std::vector<sim::Scenario>& scenarios, const std::string& kernel,
                                            const GuestOptions& options);

// The real run an earlier run_in_guest left in run_dir(), read again (no boot): for comparing a
// changed simulator with the same kernel runs. Repetition 1 also finds a run of the layout
// before repetitions (<results_dir>/<scenario>/ itself).
RealRun read_guest_run(const sim::Scenario& scenario, const GuestOptions& options);

// Where the run of options.repetition of `scenario_name` lives (absolute).
std::string run_dir(const GuestOptions& options, const std::string& scenario_name);
// Whether that run finished and was analysed (its validation-real.json exists), so a resumed
// `mpsim validate` can read it instead of booting again.
bool finished_run_exists(const GuestOptions& options, const std::string& scenario_name);

// A directory-safe form of a scenario name.
std::string results_subdir(const std::string& scenario_name);

}  // namespace mpsim::validate
