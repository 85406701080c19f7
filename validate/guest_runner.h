// Running scenarios on the real kernel: build (or reuse) the UML guest kernel, write the
// guest init for a scenario, boot it, and analyse what it wrote.
//
//   GuestOptions opt{.source_dir = MPSIM_SOURCE_DIR, .results_dir = "validate-results"};
//   std::string kernel = ensure_guest_kernel(opt);          // validate/guest/build-kernel.sh
//   RealRun real = run_in_guest(scenario, kernel, opt);     // results in <results_dir>/<scenario>/
#pragma once

#include <stdexcept>
#include <string>

#include "sim/scenario.h"
#include "validate/guest_plan.h"
#include "validate/real_run.h"

namespace mpsim::validate {

struct GuestOptions {
  std::string source_dir;           // the mpsim checkout (validate/guest/*.sh live there)
  std::string results_dir;          // one subdirectory per scenario is written here
  int timeout_s = 300;              // per boot
  std::string memory = "384M";
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
  std::string dir;                  // absolute: <results_dir>/<scenario>
};

// Plans the scenario and writes init.sh and plan.txt into a fresh results directory (no boot).
PreparedRun prepare_guest_run(const sim::Scenario& scenario, const GuestOptions& options);

// Plans (GuestPlanError), boots (GuestRunError) and analyses (GuestOutputError) one scenario;
// writes init.sh, plan.txt and validation-real.json next to the guest's own files.
RealRun run_in_guest(const sim::Scenario& scenario, const std::string& kernel, const GuestOptions& options);
// The real run an earlier run_in_guest left in <results_dir>/<scenario>/, read again (no boot):
// for comparing a changed simulator with the same kernel runs.
RealRun read_guest_run(const sim::Scenario& scenario, const GuestOptions& options);

// A directory-safe form of a scenario name.
std::string results_subdir(const std::string& scenario_name);

}  // namespace mpsim::validate
