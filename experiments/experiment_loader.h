// Loading experiments: a text-format experiment file in, one validated sim::Scenario per
// policy out (the `compare` list expands to one run per entry, all with the same seed).
//
//   LoadedExperiment exp = load_experiment_file("experiments/quickstart.textproto");
//   for (const PlannedRun& run : exp.runs) sim::run_scenario(run.scenario);
//
// Bad input throws topology::InputError listing every problem at once, one
// "FILE:LINE:COL: field.path: message" per line (see topologies/textproto.h).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/scenario.h"

namespace mpsim::experiments {

// A job's options as the user wrote them, in fio's vocabulary (fio.json "job options").
using JobOptions = std::vector<std::pair<std::string, std::string>>;

struct PlannedRun {
  std::string label;        // directory-safe, unique per experiment: "numa", "spdk-rr_rr_min_io-16"
  std::string policy_text;  // "numa", "spdk-round-robin(rr_min_io=16)"
  sim::Scenario scenario;
  std::vector<JobOptions> job_options;  // parallel to scenario.jobs
};

struct LoadedExperiment {
  std::string name;
  std::string description;
  std::string source;  // the file it came from
  std::vector<PlannedRun> runs;
};

LoadedExperiment load_experiment_file(const std::string& path);

// `base_dir` resolves a relative topology_file.
LoadedExperiment load_experiment_text(std::string_view text, const std::string& source_name,
                                      const std::string& base_dir);

// "name" or "name(k=v,k2=v2)" with parameters in key order.
std::string policy_text(const policies::PolicyConfig& policy);

}  // namespace mpsim::experiments
