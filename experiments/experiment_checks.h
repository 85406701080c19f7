// Internal to the experiment loader: the pieces that validate and convert one part of an
// experiment each, reporting problems into a shared Diagnostics at the field's location.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "experiments/experiment.pb.h"
#include "experiments/experiment_loader.h"
#include "sim/scenario.h"
#include "topologies/textproto.h"
#include "topologies/topology.h"

namespace mpsim::experiments::detail {

struct CheckContext {
  const topology::SourceMap& map;  // describes the Experiment message
  topology::Diagnostics& diag;
  const topology::Topology* topo;  // nullptr when the fabric itself failed to load

  void error(const google::protobuf::Message& msg, std::string_view field, const std::string& message,
             int index = -1) const {
    diag.error(map, msg, field, message, index);
  }
};

// Unit parsers that report a bad value at `field` of `msg` and return nullopt.
std::optional<sim::Duration> duration_field(const CheckContext& ctx, const google::protobuf::Message& msg,
                                            std::string_view field, const std::string& text);
std::optional<std::uint64_t> size_field(const CheckContext& ctx, const google::protobuf::Message& msg,
                                        std::string_view field, const std::string& text);

// Jobs: every reference resolves against the fabric, every value is in fio's vocabulary.
std::vector<sim::JobSpec> convert_jobs(const experiment::Experiment& exp, const CheckContext& ctx,
                                       std::vector<JobOptions>& options_out);
// target_qos, cgroups and the jobs' tenant/cgroup fields into `out` (its jobs already converted).
void convert_qos(const experiment::Experiment& exp, const CheckContext& ctx, sim::Scenario& out);

// The end of the last job (start_delay + ramp_time + runtime).
sim::Duration longest_job(const std::vector<sim::JobSpec>& jobs);

std::string format_factor(double v);  // "%g"

// Faults, checked against the fabric and the run's length.
std::vector<sim::FaultSpec> convert_faults(const experiment::Experiment& exp, const CheckContext& ctx,
                                           sim::Duration run_length);

// The policies to run: the compare list, else `policy`. Each is checked with the registry.
std::vector<policies::PolicyConfig> policies_to_run(const experiment::Experiment& exp, const CheckContext& ctx);
// Directory-safe and unique per distinct (name, params).
std::string policy_label(const policies::PolicyConfig& policy);
std::vector<sim::PolicyOverride> convert_overrides(const experiment::Experiment& exp, const CheckContext& ctx);

// models {} merged over models::default_models(); `topo_map` locates media names of the fabric.
models::ModelSet merge_models(const experiment::Experiment& exp, const CheckContext& ctx,
                              const topology::SourceMap& topo_map);

}  // namespace mpsim::experiments::detail
