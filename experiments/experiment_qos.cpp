// Validation and conversion of an experiment's capacity and QoS settings: target_qos (SPDK bdev
// QoS), cgroups with io.max, and the jobs' tenant and cgroup fields.
#include <map>
#include <set>
#include <string>

#include "experiments/experiment_checks.h"

namespace mpsim::experiments::detail {
namespace {

using experiment::Experiment;

struct NamespaceRef {
  std::string nqn;
  std::uint32_t nsid = 0;
};

// "nqn/nsid" naming a namespace of the fabric (the NQN may hold '/': the last one splits).
std::optional<NamespaceRef> namespace_field(const CheckContext& ctx, const google::protobuf::Message& msg,
                                            const std::string& text) {
  if (text.empty()) {
    ctx.error(msg, "namespace", "required: \"nqn/nsid\"");
    return std::nullopt;
  }
  const auto slash = text.rfind('/');
  NamespaceRef ref;
  if (slash != std::string::npos && slash + 1 < text.size()) {
    ref.nqn = text.substr(0, slash);
    try {
      std::size_t used = 0;
      const unsigned long v = std::stoul(text.substr(slash + 1), &used);
      if (used == text.size() - slash - 1 && v > 0 && v <= UINT32_MAX) ref.nsid = std::uint32_t(v);
    } catch (const std::exception&) {
    }
  }
  if (ref.nsid == 0) {
    ctx.error(msg, "namespace", "\"" + text + "\" is not \"nqn/nsid\" (e.g. \"nqn.2026-11.io.mpsim:array/1\")");
    return std::nullopt;
  }
  if (!ctx.topo) return ref;
  const topology::Subsystem* sub = topology::find_subsystem(*ctx.topo, ref.nqn);
  bool found = sub && std::any_of(sub->namespaces().begin(), sub->namespaces().end(),
                                  [&](const topology::Namespace& ns) { return ns.nsid() == ref.nsid; });
  if (!found) {
    ctx.error(msg, "namespace", "no namespace \"" + text + "\" in the fabric");
    return std::nullopt;
  }
  return ref;
}

bool connected(const topology::Topology& topo, const std::string& host, const std::string& nqn) {
  return std::any_of(topo.connections().begin(), topo.connections().end(),
                     [&](const topology::Connection& c) { return c.host() == host && c.nqn() == nqn; });
}

// An optional limit: unset = none; set, it must be a positive number.
std::uint64_t limit_field(const CheckContext& ctx, const google::protobuf::Message& msg, std::string_view field,
                          bool has, std::int64_t value, std::uint64_t scale = 1) {
  if (!has) return 0;
  if (value <= 0) {
    ctx.error(msg, field, std::to_string(value) + " is not a limit: it must be > 0 (leave it unset for no limit)");
    return 0;
  }
  return std::uint64_t(value) * scale;
}

void convert_target_qos(const Experiment& exp, const CheckContext& ctx, sim::Scenario& out) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const experiment::TargetQos& q : exp.target_qos()) {
    sim::TargetQosSpec spec;
    auto ref = namespace_field(ctx, q, q.namespace_());
    spec.host = q.host();
    if (ref && ctx.topo && !q.host().empty()) {
      if (!topology::find_host(*ctx.topo, q.host())) ctx.error(q, "host", "no host \"" + q.host() + "\" in the fabric");
      else if (!connected(*ctx.topo, q.host(), ref->nqn))
        ctx.error(q, "host", "host \"" + q.host() + "\" has no connection to \"" + ref->nqn + "\"");
    }
    constexpr std::uint64_t kMiB = 1024 * 1024;  // SPDK: *_mbytes_per_sec x 1024 x 1024
    spec.limits.rw_ios_per_sec = limit_field(ctx, q, "rw_ios_per_sec", q.has_rw_ios_per_sec(), q.rw_ios_per_sec());
    spec.limits.rw_bytes_per_sec = limit_field(ctx, q, "rw_mbytes_per_sec", q.has_rw_mbytes_per_sec(), q.rw_mbytes_per_sec(), kMiB);
    spec.limits.r_bytes_per_sec = limit_field(ctx, q, "r_mbytes_per_sec", q.has_r_mbytes_per_sec(), q.r_mbytes_per_sec(), kMiB);
    spec.limits.w_bytes_per_sec = limit_field(ctx, q, "w_mbytes_per_sec", q.has_w_mbytes_per_sec(), q.w_mbytes_per_sec(), kMiB);
    if (!q.has_rw_ios_per_sec() && !q.has_rw_mbytes_per_sec() && !q.has_r_mbytes_per_sec() && !q.has_w_mbytes_per_sec())
      ctx.error(q, "namespace", "no limit set: give rw_ios_per_sec, rw_mbytes_per_sec, r_mbytes_per_sec or w_mbytes_per_sec");
    if (!ref) continue;
    if (!seen.insert({q.namespace_(), q.host()}).second)
      ctx.error(q, "namespace", "\"" + q.namespace_() + "\"" + (q.host().empty() ? "" : " for host \"" + q.host() + "\"") +
                                    " already has limits");
    spec.nqn = ref->nqn;
    spec.nsid = ref->nsid;
    if (!q.has_enabled() || q.enabled()) out.target_qos.push_back(spec);
  }
}

void convert_cgroups(const Experiment& exp, const CheckContext& ctx, sim::Scenario& out) {
  std::set<std::string> names;
  for (const experiment::Cgroup& c : exp.cgroups()) {
    sim::CgroupSpec spec{c.name(), c.host(), {}};
    if (c.name().empty()) ctx.error(c, "name", "required");
    else if (!names.insert(c.name()).second) ctx.error(c, "name", "duplicate cgroup \"" + c.name() + "\"");
    if (c.host().empty()) ctx.error(c, "host", "required");
    else if (ctx.topo && !topology::find_host(*ctx.topo, c.host())) ctx.error(c, "host", "no host \"" + c.host() + "\" in the fabric");
    std::set<std::string> devices;
    for (const experiment::IoMax& m : c.io_max()) {
      auto ref = namespace_field(ctx, m, m.namespace_());
      sim::IoMaxSpec line;
      line.riops = limit_field(ctx, m, "riops", m.has_riops(), m.riops());
      line.wiops = limit_field(ctx, m, "wiops", m.has_wiops(), m.wiops());
      line.rbps = limit_field(ctx, m, "rbps", m.has_rbps(), m.rbps());
      line.wbps = limit_field(ctx, m, "wbps", m.has_wbps(), m.wbps());
      if (!ref) continue;
      if (ctx.topo && !c.host().empty() && !connected(*ctx.topo, c.host(), ref->nqn))
        ctx.error(m, "namespace", "host \"" + c.host() + "\" has no connection to \"" + ref->nqn + "\": no such device there");
      if (!devices.insert(m.namespace_()).second)
        ctx.error(m, "namespace", "cgroup \"" + c.name() + "\" already has an io.max line for \"" + m.namespace_() + "\"");
      line.nqn = ref->nqn;
      line.nsid = ref->nsid;
      spec.io_max.push_back(line);
    }
    out.cgroups.push_back(std::move(spec));
  }
}

void convert_job_groups(const Experiment& exp, const CheckContext& ctx, sim::Scenario& out) {
  std::map<std::string, std::string> host_of;
  for (const experiment::Cgroup& c : exp.cgroups()) host_of.emplace(c.name(), c.host());
  for (int i = 0; i < exp.jobs_size() && i < int(out.jobs.size()); ++i) {
    const experiment::Job& job = exp.jobs(i);
    out.jobs[std::size_t(i)].tenant = job.tenant();
    out.jobs[std::size_t(i)].cgroup = job.cgroup();
    if (job.cgroup().empty()) continue;
    auto it = host_of.find(job.cgroup());
    if (it == host_of.end()) {
      std::string known;
      for (const auto& [name, _] : host_of) known += (known.empty() ? "" : ", ") + name;
      ctx.error(job, "cgroup", "no cgroup \"" + job.cgroup() + "\" (cgroups: " + (known.empty() ? "none" : known) + ")");
    } else if (it->second != job.host()) {
      ctx.error(job, "cgroup", "cgroup \"" + job.cgroup() + "\" is on host \"" + it->second + "\", the job on \"" +
                                   job.host() + "\"");
    }
  }
}

// An SLO about a tenant must name one that some job belongs to.
void check_slo_tenants(const Experiment& exp, const CheckContext& ctx) {
  std::set<std::string> tenants;
  for (const experiment::Job& job : exp.jobs()) {
    if (!job.tenant().empty()) tenants.insert(job.tenant());
  }
  for (const experiment::Slo& slo : exp.slo()) {
    if (slo.tenant().empty() || tenants.count(slo.tenant())) continue;
    std::string known;
    for (const std::string& t : tenants) known += (known.empty() ? "" : ", ") + t;
    ctx.error(slo, "tenant", "no job has tenant \"" + slo.tenant() + "\" (tenants: " + (known.empty() ? "none" : known) + ")");
  }
}

}  // namespace

void convert_qos(const Experiment& exp, const CheckContext& ctx, sim::Scenario& out) {
  convert_target_qos(exp, ctx, out);
  convert_cgroups(exp, ctx, out);
  convert_job_groups(exp, ctx, out);
  check_slo_tenants(exp, ctx);
}

}  // namespace mpsim::experiments::detail
