// Experiment file -> validated scenarios. The parts (jobs, faults, policies, models) are
// checked in experiment_*.cpp; this file resolves the fabric and assembles the runs.
#include "experiments/experiment_loader.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "experiments/experiment_checks.h"
#include "experiments/fio_workload.h"
#include "experiments/overrides.h"
#include "experiments/reports.h"
#include "topologies/generate.h"
#include "topologies/units.h"

namespace mpsim::experiments {
namespace {

using experiment::Experiment;
namespace fs = std::filesystem;

// connection_defaults fill what a connection leaves unset, once the fabric itself is checked.
void apply_connection_defaults(const Experiment& exp, topology::Topology& topo) {
  if (!exp.has_connection_defaults()) return;
  for (topology::Connection& c : *topo.mutable_connections()) fill_unset_fields(exp.connection_defaults(), *c.mutable_options());
}

// The problems the experiment's connection_defaults make in `topo`'s connections (the fabric itself
// already checked): located at connection_defaults with its field path, and each once, not once per
// connection. Validating the fabric with the defaults applied keeps one rule set for both.
std::vector<std::string> connection_default_problems(const Experiment& exp, const topology::SourceMap& exp_map,
                                                     const topology::Topology& topo) {
  const std::string where = exp_map.where(exp.connection_defaults());
  topology::Diagnostics diag;
  topology::validate_topology(topo, topology::SourceMap(where), diag);
  const std::string prefix = where + ": ", path = exp_map.path(exp.connection_defaults()) + ".";
  std::vector<std::string> problems;
  for (std::string p : diag.problems()) {
    if (p.rfind(prefix, 0) == 0) p.insert(prefix.size(), path);  // "kato_s" -> "connection_defaults.kato_s"
    if (std::find(problems.begin(), problems.end(), p) == problems.end()) problems.push_back(p);
  }
  return problems;
}

// The fabric and the SourceMap that locates its fields (its own file's, or the experiment's).
struct Fabric {
  std::unique_ptr<topology::Topology> topo;  // stable address: the SourceMap points into it
  topology::SourceMap map;
  std::vector<std::string> file_problems;    // a topology file's own errors
};

Fabric resolve_fabric(const Experiment& exp, const topology::SourceMap& exp_map, topology::Diagnostics& diag,
                      const std::string& base_dir) {
  Fabric f;
  if (exp.has_topology()) {
    topology::Diagnostics topo_diag;
    auto resolved = topology::resolve_topology(exp.topology(), exp_map, topo_diag);  // expands a generator block
    f.file_problems = topo_diag.problems();
    if (resolved && exp.has_connection_defaults()) {  // written or generated, the connections take them
      apply_connection_defaults(exp, *resolved);
      for (const std::string& p : connection_default_problems(exp, exp_map, *resolved)) f.file_problems.push_back(p);
      if (!f.file_problems.empty()) resolved.reset();
    }
    if (resolved) f.topo = std::make_unique<topology::Topology>(std::move(*resolved));
    f.map = exp_map;
    return f;
  }
  if (exp.topology_file().empty()) {
    diag.error(exp_map, exp, "topology_file", "required: a topology_file or an inline topology");
    return f;
  }
  fs::path path = fs::path(base_dir) / exp.topology_file();
  std::error_code ec;  // a name too long for the OS is "cannot read" too, not an exception (fuzz: overrides)
  if (!fs::exists(path, ec)) {
    diag.error(exp_map, exp, "topology_file", "cannot read \"" + path.string() + "\" (relative to the experiment's directory)");
    return f;
  }
  auto topo = std::make_unique<topology::Topology>();
  try {
    f.map = topology::parse_textproto_file(path.string(), *topo);
    topology::Diagnostics topo_diag;
    if (topo->has_generator()) {
      auto expanded = topology::resolve_topology(*topo, f.map, topo_diag);  // a generator block, expanded
      topo_diag.throw_if_any();
      *topo = std::move(*expanded);
    }
    topology::validate_topology(*topo, f.map, topo_diag);  // the file's own fields, located in it
    topo_diag.throw_if_any();
    if (exp.has_connection_defaults()) {  // the experiment's values: located at its connection_defaults, once
      apply_connection_defaults(exp, *topo);
      std::vector<std::string> problems = connection_default_problems(exp, exp_map, *topo);
      if (!problems.empty()) throw topology::InputError(problems);
    }
    f.topo = std::move(topo);
  } catch (const topology::InputError& e) {
    f.file_problems = e.problems();
  }
  return f;
}

// (line, column) of a "FILE:LINE:COL: ..." problem; (0, 0) when it has none.
std::pair<int, int> position_of(const std::string& problem) {
  int line = 0, column = 0;
  std::size_t colon = problem.find(':');
  if (colon == std::string::npos || std::sscanf(problem.c_str() + colon, ":%d:%d:", &line, &column) != 2) return {0, 0};
  return {line, column};
}

// The experiment's own problems in the order they appear in the file.
std::vector<std::string> in_file_order(std::vector<std::string> problems) {
  std::stable_sort(problems.begin(), problems.end(),
                   [](const std::string& a, const std::string& b) { return position_of(a) < position_of(b); });
  return problems;
}

void check_seed_and_name(const Experiment& exp, const detail::CheckContext& ctx) {
  if (exp.name().empty()) ctx.error(exp, "name", "required");
  if (!exp.has_seed()) ctx.error(exp, "seed", "required: runs are reproducible only from a written seed (e.g. seed: 1)");
}

sim::Duration run_length(const Experiment& exp, const detail::CheckContext& ctx, sim::Duration jobs_end) {
  if (exp.duration().empty()) return jobs_end;
  auto d = detail::duration_field(ctx, exp, "duration", exp.duration());
  if (!d) return jobs_end;
  if (*d < jobs_end) ctx.error(exp, "duration", "\"" + exp.duration() + "\" is shorter than the jobs (they end at " +
                                                    std::to_string(jobs_end.count() / 1000000) + "ms)");
  return std::max(*d, jobs_end);
}

sim::Duration timeline_interval(const Experiment& exp, const detail::CheckContext& ctx) {
  sim::Duration dflt = std::chrono::milliseconds(100);
  if (exp.timeline_interval().empty()) return dflt;
  auto d = detail::duration_field(ctx, exp, "timeline_interval", exp.timeline_interval());
  const bool ok = d && d->count() >= topology::limits::kMinTimelineIntervalNs;
  if (d && !ok) ctx.error(exp, "timeline_interval", "must be at least 1ms (one timeline point per interval and series)");
  return ok ? *d : dflt;
}

LoadedExperiment assemble(const Experiment& exp, const topology::SourceMap& map, const std::string& base_dir) {
  topology::Diagnostics diag;
  Fabric fabric = resolve_fabric(exp, map, diag, base_dir);
  detail::CheckContext ctx{map, diag, fabric.topo.get()};
  topology::check_enum_values(exp, map, diag);  // again: a --set override may have written a number
  check_seed_and_name(exp, ctx);

  sim::Scenario base;
  base.name = exp.name();
  std::vector<JobOptions> options;
  base.jobs = detail::convert_jobs(exp, ctx, options);
  detail::convert_qos(exp, ctx, base);
  base.duration = run_length(exp, ctx, detail::longest_job(base.jobs));
  base.timeline_interval = timeline_interval(exp, ctx);
  base.faults = detail::convert_faults(exp, ctx, base.duration);
  base.overrides = detail::convert_overrides(exp, ctx);
  base.models = detail::merge_models(exp, ctx, fabric.map);
  base.seed = exp.seed();
  std::vector<policies::PolicyConfig> policies = detail::policies_to_run(exp, ctx);

  std::vector<std::string> problems = fabric.file_problems;  // another file's (or inline: its own order)
  std::vector<std::string> own = in_file_order(diag.problems());
  problems.insert(problems.end(), own.begin(), own.end());
  if (!problems.empty()) throw topology::InputError(problems);

  base.topology = *fabric.topo;
  LoadedExperiment out{exp.name(), exp.description(), map.source_name(), {}, {exp.slo().begin(), exp.slo().end()}};
  for (const policies::PolicyConfig& p : policies) {
    PlannedRun run{detail::policy_label(p), policy_text(p), base, options};
    run.scenario.policy = p;
    out.runs.push_back(std::move(run));
  }
  return out;
}

}  // namespace

std::string policy_text(const policies::PolicyConfig& policy) {
  if (policy.params.empty()) return policy.name;
  std::string text = policy.name + "(";
  bool first = true;
  for (const auto& [k, v] : policy.params) {
    text += (first ? "" : ",") + k + "=" + v;
    first = false;
  }
  return text + ")";
}

void inline_topology_file(Experiment& exp, const std::string& base_dir) {
  if (!exp.has_topology_file()) return;
  fs::path path = fs::path(base_dir) / exp.topology_file();
  topology::Topology topo;
  topology::parse_textproto_file(path.string(), topo);  // checked once the experiment is assembled
  *exp.mutable_topology() = std::move(topo);
}

FioWorkload inline_jobs_file(Experiment& exp, const std::string& base_dir) {
  if (exp.jobs_file().empty()) return {};
  std::vector<FioTarget> targets;
  std::vector<std::string> problems;
  for (const std::string& m : exp.jobs_file_map()) {
    try {
      targets.push_back(parse_fio_target(m));
    } catch (const std::invalid_argument& e) {
      problems.push_back("jobs_file_map: " + std::string(e.what()));
    }
  }
  if (!problems.empty()) throw topology::InputError(problems);
  FioWorkload fio = read_fio_workload((fs::path(base_dir) / exp.jobs_file()).string(), targets);
  for (experiment::Job& job : fio.jobs) *exp.add_jobs() = std::move(job);
  fio.jobs.clear();
  exp.clear_jobs_file();
  exp.clear_jobs_file_map();
  return fio;
}

void apply_overrides(Experiment& exp, const std::vector<Override>& overrides, const std::string& base_dir) {
  try {
    for (const Override& o : overrides) {
      if (o.path.rfind("topology", 0) == 0 && o.path.rfind("topology_file", 0) != 0) inline_topology_file(exp, base_dir);
      apply_override(exp, o);
    }
  } catch (const OverrideError& e) {
    throw topology::InputError(e.what());
  }
}

LoadedExperiment load_experiment_message(Experiment& exp, const topology::SourceMap& map, const std::string& base_dir,
                                         const std::vector<Override>& overrides) {
  FioWorkload fio = inline_jobs_file(exp, base_dir);  // first, so --set reaches its jobs too
  apply_overrides(exp, overrides, base_dir);
  topology::SourceMap edited = map;  // what --set or an inlined file added is located by its field path
  edited.index_edited(exp);
  LoadedExperiment out = assemble(exp, edited, base_dir);
  out.notes = std::move(fio.notes);
  if (fio.log_avg_ms > 0) enable_fio_logs(out, fio.log_avg_ms);
  return out;
}

LoadedExperiment load_experiment_text(std::string_view text, const std::string& source_name,
                                      const std::string& base_dir, const std::vector<Override>& overrides) {
  Experiment exp;
  topology::SourceMap map = topology::parse_textproto(text, source_name, exp);
  return load_experiment_message(exp, map, base_dir, overrides);
}

LoadedExperiment load_experiment_file(const std::string& path, const std::vector<Override>& overrides) {
  Experiment exp;
  topology::SourceMap map = topology::parse_textproto_file(path, exp);
  return load_experiment_message(exp, map, fs::path(path).parent_path().string(), overrides);
}

}  // namespace mpsim::experiments
