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

#include "experiments/experiment.pb.h"
#include "experiments/fio_workload.h"
#include "experiments/overrides.h"
#include "sim/scenario.h"
#include "topologies/textproto.h"

namespace mpsim::experiments {

// A job's options as the user wrote them, in fio's vocabulary (fio.json "job options").
using JobOptions = std::vector<std::pair<std::string, std::string>>;

struct PlannedRun {
  std::string label;        // directory-safe, unique per experiment: "numa", "spdk-rr_rr_min_io-16"
  std::string policy_text;  // "numa", "spdk-round-robin(rr_min_io=16)"
  sim::Scenario scenario;
  std::vector<JobOptions> job_options;  // parallel to scenario.jobs
  std::uint64_t fio_log_avg_ms = 0;     // write fio's lat/clat/iops/bw logs with this log_avg_msec; 0 = none
};

struct LoadedExperiment {
  std::string name;
  std::string description;
  std::string source;  // the file it came from
  std::vector<PlannedRun> runs;
  std::vector<experiment::Slo> slos = {};  // the file's slo {} assertions (see slo.h)
  std::vector<std::string> notes = {};     // worth telling the user, not an error (fio options without effect)
};

// `overrides` (--set PATH=VALUE) apply to the parsed file before any check, so every check
// applies to the result; a path under `topology` first copies a topology_file inline.
LoadedExperiment load_experiment_file(const std::string& path, const std::vector<Override>& overrides = {});

// `base_dir` resolves a relative topology_file.
LoadedExperiment load_experiment_text(std::string_view text, const std::string& source_name,
                                      const std::string& base_dir, const std::vector<Override>& overrides = {});

// The same from a parsed message (`map` locates its fields; `exp` is modified in place).
LoadedExperiment load_experiment_message(experiment::Experiment& exp, const topology::SourceMap& map,
                                         const std::string& base_dir, const std::vector<Override>& overrides = {});

// Applies overrides to `exp`; throws topology::InputError naming the path on a bad one.
void apply_overrides(experiment::Experiment& exp, const std::vector<Override>& overrides, const std::string& base_dir);
// Replaces a topology_file (relative to `base_dir`) by the topology it holds, unchecked.
void inline_topology_file(experiment::Experiment& exp, const std::string& base_dir);
// Replaces a jobs_file (a fio job file, relative to `base_dir`) by the jobs it holds, appended
// to `jobs`; returns the notes and log request (the jobs moved into `exp`). Throws InputError.
FioWorkload inline_jobs_file(experiment::Experiment& exp, const std::string& base_dir);

// "name" or "name(k=v,k2=v2)" with parameters in key order.
std::string policy_text(const policies::PolicyConfig& policy);

}  // namespace mpsim::experiments
