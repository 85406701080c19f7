// Validation of an experiment's policies (against the policies/ registry) and model overrides.
#include <algorithm>
#include <set>

#include "experiments/experiment_checks.h"
#include "policies/selector.h"
#include "topologies/units.h"

namespace mpsim::experiments::detail {
namespace {

using experiment::Experiment;
using experiment::Policy;

policies::PolicyConfig to_config(const Policy& p) {
  policies::PolicyConfig c;
  c.name = p.name();
  for (const auto& [k, v] : p.params()) c.params[k] = v;  // std::map: key order, whatever protobuf's is
  return c;
}

// Asks the registry: an unknown name or a bad parameter is reported at the policy's field.
bool check_policy(const CheckContext& ctx, const Policy& p) {
  if (p.name().empty()) {
    ctx.error(p, "name", "required: a policy name (e.g. \"numa\", \"round-robin\", \"queue-depth\")");
    return false;
  }
  try {
    policies::find_policy(p.name());
  } catch (const policies::PolicyError& e) {
    ctx.error(p, "name", e.what());
    return false;
  }
  try {
    policies::make_selector(to_config(p));
  } catch (const policies::PolicyError& e) {
    ctx.error(p, p.params().empty() ? "name" : "params", e.what(), 0);
    return false;
  }
  return true;
}

std::string label_of(const policies::PolicyConfig& c) {
  std::string label = c.name;
  for (const auto& [k, v] : c.params) label += "_" + k + "-" + v;
  for (char& ch : label) {
    bool safe = std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.';
    if (!safe) ch = '_';
  }
  return label;
}

void merge_media(const CheckContext& ctx, const experiment::MediaModel& m, models::MediaParams& p) {
  if (m.has_read_latency_us()) p.read_latency_us = m.read_latency_us();
  if (m.has_write_latency_us()) p.write_latency_us = m.write_latency_us();
  if (m.has_latency_cv()) p.latency_cv = m.latency_cv();
  if (m.has_parallelism()) p.parallelism = m.parallelism();
  namespace lim = topology::limits;
  if (!(p.read_latency_us > 0 && p.read_latency_us <= lim::kMaxServiceUs)) ctx.error(m, "read_latency_us", "must be > 0 and at most 1000000 (1 s)");
  if (!(p.write_latency_us > 0 && p.write_latency_us <= lim::kMaxServiceUs)) ctx.error(m, "write_latency_us", "must be > 0 and at most 1000000 (1 s)");
  if (!(p.latency_cv >= 0 && p.latency_cv <= lim::kMaxLatencyCv)) ctx.error(m, "latency_cv", "must be in 0..100");
  if (p.parallelism == 0 || p.parallelism > lim::kMaxParallelism) ctx.error(m, "parallelism", "must be in 1..65536");
  auto bandwidth = [&](std::string_view field, const std::string& text, double& bytes_per_s) {
    try {
      bytes_per_s = topology::parse_bandwidth(text) / 8.0;
    } catch (const std::invalid_argument& e) {
      ctx.error(m, field, e.what());
    }
  };
  if (m.has_read_bandwidth()) bandwidth("read_bandwidth", m.read_bandwidth(), p.read_bandwidth_Bps);
  if (m.has_write_bandwidth()) bandwidth("write_bandwidth", m.write_bandwidth(), p.write_bandwidth_Bps);
}

void merge_cpu(const CheckContext& ctx, const experiment::CpuModel& m, models::CpuParams& p) {
  if (m.has_per_io_us()) p.per_io_us = m.per_io_us();
  if (m.has_per_kib_us()) p.per_kib_us = m.per_kib_us();
  if (m.has_write_extra_us()) p.write_extra_us = m.write_extra_us();
  if (m.has_pause_rate_per_s()) p.pause_rate_per_s = m.pause_rate_per_s();
  if (m.has_pause_mean_us()) p.pause_mean_us = m.pause_mean_us();
  if (m.has_per_call_us()) p.per_call_us = m.per_call_us();
  if (m.has_completion_share()) p.completion_share = m.completion_share();
  if (m.has_submitter_keeps_cpu()) p.submitter_keeps_cpu = m.submitter_keeps_cpu();
  // CPU times are at most 1 s each (per KiB: 1 ms, a GiB block then costs at most ~1000 s).
  auto in_range = [&](std::string_view field, double v, double max, const char* range) {
    if (!(v >= 0 && v <= max)) ctx.error(m, field, std::string("must be in ") + range);
  };
  namespace lim = topology::limits;
  in_range("per_call_us", p.per_call_us, lim::kMaxServiceUs, "0..1000000 (us)");
  in_range("per_io_us", p.per_io_us, lim::kMaxServiceUs, "0..1000000 (us)");
  in_range("per_kib_us", p.per_kib_us, lim::kMaxServiceUs / 1000, "0..1000 (us)");
  if (!(p.per_io_us + p.write_extra_us >= 0 && p.write_extra_us <= lim::kMaxServiceUs)) {
    ctx.error(m, "write_extra_us", "must be >= -per_io_us (a write costs >= 0) and at most 1000000 (us)");
  }
  if (!(p.pause_rate_per_s == 0 || (p.pause_rate_per_s >= 1e-3 && p.pause_rate_per_s <= lim::kMaxPauseRatePerS))) {
    ctx.error(m, "pause_rate_per_s", "must be 0 (no pauses) or in 0.001..1000000");
  }
  in_range("pause_mean_us", p.pause_mean_us, lim::kMaxServiceUs, "0..1000000 (us)");
  in_range("completion_share", p.completion_share, 1.0, "0..1");
  in_range("submitter_keeps_cpu", p.submitter_keeps_cpu, 1.0, "0..1");
}

// Where to report a namespace's media: the fabric's own file locates its namespaces; an inline
// topology was copied before checking, so the experiment's parsed one (same indices) is used,
// and a generated one is reported at its generator block.
void report_media(const Experiment& exp, const CheckContext& ctx, const topology::SourceMap& topo_map, int s, int n,
                  const std::string& message) {
  const topology::Namespace& ns = ctx.topo->subsystems(s).namespaces(n);
  if (topo_map.locate(ns)) return ctx.diag.error(topo_map, ns, "media", message);
  const topology::Topology& inline_topo = exp.topology();
  if (exp.has_topology() && !inline_topo.has_generator() && s < inline_topo.subsystems_size() &&
      n < inline_topo.subsystems(s).namespaces_size()) {
    return ctx.error(inline_topo.subsystems(s).namespaces(n), "media", message);
  }
  if (exp.has_topology() && inline_topo.has_generator()) return ctx.error(inline_topo, "generator", message);
  ctx.diag.error(topo_map, ns, "media", message);
}

// Every namespace and device of the fabric names a media model that exists (a namespace on a
// device is served by the device's).
void check_media_names(const Experiment& exp, const CheckContext& ctx, const models::ModelSet& set,
                       const topology::SourceMap& topo_map) {
  if (!ctx.topo) return;
  auto unknown = [&](const std::string& media) {
    std::string known;
    for (const auto& [name, _] : set.media) known += (known.empty() ? "" : ", ") + name;
    return "no media model \"" + media + "\" (known: " + known + "; define it in the experiment's models.media)";
  };
  for (const topology::TargetNode& node : ctx.topo->target_nodes()) {
    for (const topology::Device& d : node.devices()) {
      if (!set.media.count(d.media())) ctx.diag.error(topo_map, d, "media", unknown(d.media()));
    }
  }
  for (int s = 0; s < ctx.topo->subsystems_size(); ++s) {
    for (int n = 0; n < ctx.topo->subsystems(s).namespaces_size(); ++n) {
      const topology::Namespace& ns = ctx.topo->subsystems(s).namespaces(n);
      if (!ns.device().empty() || set.media.count(ns.media())) continue;
      report_media(exp, ctx, topo_map, s, n, unknown(ns.media()));
    }
  }
}

}  // namespace

std::vector<policies::PolicyConfig> policies_to_run(const Experiment& exp, const CheckContext& ctx) {
  std::vector<policies::PolicyConfig> out;
  if (exp.compare().empty() && !exp.has_policy()) {
    ctx.error(exp, "policy", "required: set `policy` or a `compare` list");
  }
  if (!exp.compare().empty() && exp.has_policy()) {
    ctx.error(exp, "policy", "set either `policy` or `compare` (compare runs each listed policy in its place)");
  }
  std::set<std::string> labels;
  for (const Policy& p : exp.compare()) {
    if (!check_policy(ctx, p)) continue;
    out.push_back(to_config(p));
    if (!labels.insert(label_of(out.back())).second) ctx.error(p, "name", "listed twice in compare");
  }
  if (exp.compare().empty() && exp.has_policy() && check_policy(ctx, exp.policy())) out.push_back(to_config(exp.policy()));
  return out;
}

std::string policy_label(const policies::PolicyConfig& c) { return label_of(c); }

std::vector<sim::PolicyOverride> convert_overrides(const Experiment& exp, const CheckContext& ctx) {
  std::vector<sim::PolicyOverride> out;
  for (const experiment::PolicyOverride& o : exp.policy_overrides()) {
    if (ctx.topo && !o.host().empty() && !topology::find_host(*ctx.topo, o.host())) {
      ctx.error(o, "host", "no host \"" + o.host() + "\" in the fabric");
    }
    if (ctx.topo && !o.nqn().empty() && !topology::find_subsystem(*ctx.topo, o.nqn())) {
      ctx.error(o, "nqn", "no subsystem \"" + o.nqn() + "\" in the fabric");
    }
    if (!o.has_policy()) ctx.error(o, "policy", "required");
    else if (check_policy(ctx, o.policy())) out.push_back({o.host(), o.nqn(), to_config(o.policy())});
  }
  return out;
}

models::ModelSet merge_models(const Experiment& exp, const CheckContext& ctx, const topology::SourceMap& topo_map) {
  models::ModelSet set = models::default_models();
  const experiment::Models& m = exp.models();
  std::vector<std::string> names;
  for (const auto& [name, _] : m.media()) names.push_back(name);
  std::sort(names.begin(), names.end());  // protobuf map order is unspecified
  for (const std::string& name : names) {
    // The parsed entry (which the SourceMap locates) when there is one, else the map's own copy.
    const auto* parsed = static_cast<const experiment::MediaModel*>(topology::find_map_value(m, "media", name));
    merge_media(ctx, parsed ? *parsed : m.media().at(name), set.media[name]);
  }
  if (m.transport().has_inline_data_size()) set.transport.inline_data_size = m.transport().inline_data_size();
  if (m.transport().has_pdu_header_bytes()) set.transport.pdu_header_bytes = m.transport().pdu_header_bytes();
  if (set.transport.inline_data_size > topology::limits::kMaxTransportBytes) {
    ctx.error(m.transport(), "inline_data_size", "must be at most 1048576 (bytes)");
  }
  if (set.transport.pdu_header_bytes > topology::limits::kMaxTransportBytes) {
    ctx.error(m.transport(), "pdu_header_bytes", "must be at most 1048576 (bytes)");
  }
  merge_cpu(ctx, m.host_cpu(), set.host_cpu);
  merge_cpu(ctx, m.target_cpu(), set.target_cpu);
  check_media_names(exp, ctx, set, topo_map);
  return set;
}

}  // namespace mpsim::experiments::detail
