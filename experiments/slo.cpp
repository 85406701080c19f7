// SLO parsing, checking against the experiment, and judging a run's metrics.
#include "experiments/slo.h"

#include <algorithm>
#include <charconv>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "topologies/units.h"

namespace mpsim::experiments {
namespace {

using experiment::Slo;

struct MetricInfo {
  Slo::Metric metric;
  std::string_view text;
  Slo::Scope natural;
  enum Kind { kTime, kRate, kCount, kFlag } kind;
};

const std::vector<MetricInfo>& metrics() {
  static const std::vector<MetricInfo> kMetrics = {
      {Slo::IOPS, "iops", Slo::JOB, MetricInfo::kRate},          {Slo::MBPS, "mbps", Slo::JOB, MetricInfo::kRate},
      {Slo::P50_LATENCY, "p50", Slo::JOB, MetricInfo::kTime},    {Slo::P99_LATENCY, "p99", Slo::JOB, MetricInfo::kTime},
      {Slo::P999_LATENCY, "p99.9", Slo::JOB, MetricInfo::kTime}, {Slo::MAX_LATENCY, "max", Slo::JOB, MetricInfo::kTime},
      {Slo::ERRORS, "errors", Slo::JOB, MetricInfo::kCount},     {Slo::STALL, "stall", Slo::FAULT, MetricInfo::kTime},
      {Slo::TIME_TO_DETECT, "detect", Slo::FAULT, MetricInfo::kTime},
      {Slo::TIME_TO_RECOVER, "recover", Slo::FAULT, MetricInfo::kTime},
      {Slo::P99_DURING_FAULT, "p99_fault", Slo::FAULT, MetricInfo::kTime},
      {Slo::FAILED_IO, "failed", Slo::RUN, MetricInfo::kCount},  {Slo::LEDGER, "ledger", Slo::RUN, MetricInfo::kFlag},
      {Slo::GHOST_WRITES, "ghost_writes", Slo::RUN, MetricInfo::kCount}};
  return kMetrics;
}

const MetricInfo* info(Slo::Metric m) {
  for (const MetricInfo& i : metrics()) if (i.metric == m) return &i;
  return nullptr;
}

std::string metric_names() {
  std::string out;
  for (const MetricInfo& i : metrics()) out += (out.empty() ? "" : ", ") + std::string(i.text);
  return out;
}

Slo::Scope scope_of(const Slo& s) { return s.scope() != Slo::SCOPE_UNSPECIFIED ? s.scope() : info(s.metric())->natural; }

bool scope_allowed(const MetricInfo& m, Slo::Scope scope) {
  if (m.metric == Slo::GHOST_WRITES) return scope == Slo::RUN || scope == Slo::FAULT;  // per fault, or all
  if (m.natural == Slo::FAULT) return scope == Slo::FAULT;
  if (m.natural == Slo::RUN) return scope == Slo::RUN;
  if (m.metric == Slo::ERRORS) return scope != Slo::FAULT;
  return scope == Slo::JOB || scope == Slo::HOST || scope == Slo::NAMESPACE || scope == Slo::TENANT;
}

// The threshold in the metric's base unit: ns, per second, a count, or 0/1.
double threshold_value(const Slo& s) {
  const MetricInfo& m = *info(s.metric());
  const std::string& t = s.threshold();
  auto number = [&](std::string_view text) -> std::optional<double> {
    double v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size() || text.empty() || !std::isfinite(v)) return std::nullopt;
    return v;
  };
  try {
    switch (m.kind) {
      case MetricInfo::kTime: return static_cast<double>(topology::parse_duration(t));
      case MetricInfo::kRate: {
        if (auto v = number(t)) return *v;
        if (m.metric == Slo::MBPS) return topology::parse_bandwidth(t) / 8 / 1e6;
        if (!t.empty() && (t.back() == 'k' || t.back() == 'M')) {
          if (auto v = number(std::string_view(t).substr(0, t.size() - 1))) return *v * (t.back() == 'k' ? 1e3 : 1e6);
        }
        break;
      }
      case MetricInfo::kCount:
        if (auto v = number(t); v && *v >= 0 && std::floor(*v) == *v) return *v;
        break;
      case MetricInfo::kFlag:
        if (t == "1" || t == "true" || t == "balanced") return 1;
        if (t == "0" || t == "false") return 0;
        break;
    }
  } catch (const std::invalid_argument& e) {
    throw SloError(slo_text(s) + ": threshold: " + e.what());
  }
  const char* want = m.kind == MetricInfo::kRate ? "a number (k/M suffix allowed; MB/s for mbps)"
                     : m.kind == MetricInfo::kCount ? "a whole number" : "1 (balanced)";
  throw SloError(slo_text(s) + ": threshold \"" + t + "\" is not " + want);
}

bool compare(double v, Slo::Comparator c, double t) {
  switch (c) {
    case Slo::LT: return v < t;
    case Slo::LE: return v <= t;
    case Slo::GT: return v > t;
    case Slo::GE: return v >= t;
    case Slo::EQ: return v == t;
    default: return false;
  }
}

std::string_view comparator_text(Slo::Comparator c) {
  switch (c) {
    case Slo::LT: return "<";
    case Slo::LE: return "<=";
    case Slo::GT: return ">";
    case Slo::GE: return ">=";
    case Slo::EQ: return "==";
    default: return "?";
  }
}

std::string format_value(const MetricInfo& m, double v) {
  char buf[64];
  if (m.kind == MetricInfo::kTime) {
    if (std::isinf(v)) return "never";
    if (v >= 1e9) std::snprintf(buf, sizeof buf, "%.3fs", v / 1e9);
    else if (v >= 1e6) std::snprintf(buf, sizeof buf, "%.3fms", v / 1e6);
    else std::snprintf(buf, sizeof buf, "%.1fus", v / 1e3);
  } else if (m.kind == MetricInfo::kRate) {
    std::snprintf(buf, sizeof buf, "%.1f%s", v, m.metric == Slo::MBPS ? "MB/s" : "");
  } else {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  }
  return buf;
}

// numjobs clones are "<job>.<n>": they count as their job.
std::string base_job(const std::string& name) {
  std::size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot + 1 == name.size()) return name;
  bool digits = std::all_of(name.begin() + static_cast<long>(dot) + 1, name.end(), [](unsigned char c) { return std::isdigit(c); });
  return digits ? name.substr(0, dot) : name;
}

struct Subject {
  std::string label;
  std::string scope;  // the pooled group's scope and key (sim::PooledLatency)
  std::string key;
  std::vector<const JobMetrics*> jobs;
};

std::vector<Subject> job_subjects(const Slo& s, const RunMetrics& run) {
  std::map<std::string, Subject> groups;  // ordered: reports are deterministic
  for (const JobMetrics& j : run.jobs) {
    std::string key, scope;
    std::string want = s.job();
    switch (scope_of(s)) {
      case Slo::HOST: key = j.host, scope = "host", want = s.host(); break;
      case Slo::NAMESPACE: key = j.nqn + "/" + std::to_string(j.nsid), scope = "namespace", want = s.namespace_(); break;
      case Slo::TENANT:
        if (j.tenant.empty()) continue;  // a job of no tenant is no tenant's
        key = j.tenant, scope = "tenant", want = s.tenant();
        break;
      default: key = find_pooled(run, "job", j.name) ? j.name : base_job(j.name), scope = "job";
    }
    if (!want.empty() && key != want) continue;
    Subject& g = groups[key];
    g.label = scope + " " + key;
    g.scope = scope;
    g.key = key;
    g.jobs.push_back(&j);
  }
  std::vector<Subject> out;
  for (auto& [k, g] : groups) out.push_back(std::move(g));
  return out;
}

// Rates and counts add up over the subject's jobs; latency is the percentile of all its I/Os
// pooled in one histogram (a namespace's p99 across hosts is the p99 of every host's I/O).
double subject_value(Slo::Metric m, const RunMetrics& run, const Subject& sub) {
  double v = 0;
  for (const JobMetrics* j : sub.jobs) {
    if (m == Slo::IOPS) v += j->iops();
    if (m == Slo::MBPS) v += j->mbps();
    if (m == Slo::ERRORS) v += static_cast<double>(j->errors);
  }
  if (m == Slo::IOPS || m == Slo::MBPS || m == Slo::ERRORS) return v;
  const PooledMetrics* p = find_pooled(run, sub.scope, sub.key);
  if (!p) throw std::logic_error("no pooled latency for " + sub.label);
  switch (m) {
    case Slo::P50_LATENCY: return static_cast<double>(p->p50_ns);
    case Slo::P99_LATENCY: return static_cast<double>(p->p99_ns);
    case Slo::P999_LATENCY: return static_cast<double>(p->p999_ns);
    case Slo::MAX_LATENCY: return static_cast<double>(p->max_ns);
    default: return 0;
  }
}

double fault_value(Slo::Metric m, const FaultMetrics& f) {
  auto never = [](std::int64_t ns) { return ns < 0 ? INFINITY : static_cast<double>(ns); };
  switch (m) {
    case Slo::STALL: return static_cast<double>(f.stall_ns);
    case Slo::TIME_TO_DETECT: return never(f.detect_ns);
    case Slo::TIME_TO_RECOVER: return never(f.recover_ns);
    case Slo::GHOST_WRITES: return static_cast<double>(f.ghost_writes);
    default: return static_cast<double>(f.p99_during_ns);
  }
}

}  // namespace

std::string slo_text(const Slo& s) {
  const MetricInfo* m = info(s.metric());
  std::string scope;
  bool explicit_scope = s.scope() != Slo::SCOPE_UNSPECIFIED || !s.job().empty() || !s.host().empty() ||
                        !s.namespace_().empty() || !s.tenant().empty() || s.has_fault();
  switch (m ? scope_of(s) : s.scope()) {
    case Slo::JOB: scope = s.job().empty() ? "job:" : "job=" + s.job() + ":"; break;
    case Slo::HOST: scope = s.host().empty() ? "host:" : "host=" + s.host() + ":"; break;
    case Slo::NAMESPACE: scope = s.namespace_().empty() ? "namespace:" : "namespace=" + s.namespace_() + ":"; break;
    case Slo::FAULT: scope = s.has_fault() ? "fault=" + std::to_string(s.fault()) + ":" : "fault:"; break;
    case Slo::RUN: scope = "run:"; break;
    case Slo::TENANT: scope = s.tenant().empty() ? "tenant:" : "tenant=" + s.tenant() + ":"; break;
    default: break;
  }
  if (!explicit_scope) scope.clear();
  return scope + std::string(m ? m->text : "?") + std::string(comparator_text(s.comparator())) + s.threshold();
}

Slo parse_slo(std::string_view text) {
  Slo s;
  std::string_view rest = text;
  auto bad = [&](const std::string& why) { return SloError("--slo \"" + std::string(text) + "\": " + why); };
  // The comparator ends the scope and metric (an NQN in the scope may hold ':' and '=').
  std::size_t cmp_at = std::min({rest.find('<'), rest.find('>'), rest.find("==")});
  if (std::size_t colon = rest.rfind(':', cmp_at); colon != std::string_view::npos) {
    std::string_view scope = rest.substr(0, colon), name;
    rest.remove_prefix(colon + 1);
    if (std::size_t eq = scope.find('='); eq != std::string_view::npos) {
      name = scope.substr(eq + 1);
      scope = scope.substr(0, eq);
    }
    if (scope == "job") s.set_scope(Slo::JOB), s.set_job(std::string(name));
    else if (scope == "host") s.set_scope(Slo::HOST), s.set_host(std::string(name));
    else if (scope == "namespace") s.set_scope(Slo::NAMESPACE), s.set_namespace_(std::string(name));
    else if (scope == "run") s.set_scope(Slo::RUN);
    else if (scope == "tenant") s.set_scope(Slo::TENANT), s.set_tenant(std::string(name));
    else if (scope == "fault") {
      s.set_scope(Slo::FAULT);
      if (!name.empty()) {
        unsigned v = 0;
        auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), v);
        if (ec != std::errc() || ptr != name.data() + name.size()) throw bad("fault=INDEX takes a fault's index");
        s.set_fault(v);
      }
    } else throw bad("unknown scope \"" + std::string(scope) + "\": job[=NAME], host[=NAME], namespace[=NQN/NSID], tenant[=NAME], fault[=INDEX], run");
  }
  std::size_t op = rest.find_first_of("<>=");
  if (op == std::string_view::npos) throw bad("expected METRIC CMP THRESHOLD, e.g. p99<=1ms");
  std::string_view metric = rest.substr(0, op), after = rest.substr(op);
  for (auto [cmp, c] : {std::pair{"<=", Slo::LE}, {">=", Slo::GE}, {"==", Slo::EQ}, {"<", Slo::LT}, {">", Slo::GT}}) {
    if (after.rfind(cmp, 0) == 0) {
      s.set_comparator(c);
      after.remove_prefix(std::string_view(cmp).size());
      break;
    }
  }
  if (s.comparator() == Slo::COMPARATOR_UNSPECIFIED) throw bad("comparator is one of <, <=, >, >=, ==");
  for (const MetricInfo& m : metrics()) if (metric == m.text) s.set_metric(m.metric);
  if (metric == "MB/s") s.set_metric(Slo::MBPS);
  if (s.metric() == Slo::METRIC_UNSPECIFIED) throw bad("unknown metric \"" + std::string(metric) + "\"; metrics: " + metric_names());
  s.set_threshold(std::string(after));
  return s;
}

void check_slos(const std::vector<Slo>& slos, const LoadedExperiment& exp) {
  std::vector<std::string> problems;
  std::set<std::string> jobs, hosts, namespaces, tenants;
  std::size_t faults = 0;
  if (!exp.runs.empty()) {
    const sim::Scenario& s = exp.runs.front().scenario;
    for (const sim::JobSpec& j : s.jobs) {
      jobs.insert(j.name);
      hosts.insert(j.host);
      namespaces.insert(j.nqn + "/" + std::to_string(j.nsid));
      if (!j.tenant.empty()) tenants.insert(j.tenant);
    }
    faults = s.faults.size();
  }
  auto list = [](const std::set<std::string>& names) {
    std::string out;
    for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
    return out.empty() ? std::string("none") : out;
  };
  for (const Slo& s : slos) {
    const MetricInfo* m = info(s.metric());
    std::string label = "slo " + (s.name().empty() ? std::string() : "\"" + s.name() + "\" ");
    if (!m) {
      problems.push_back(label + ": metric is required; metrics: " + metric_names());
      continue;
    }
    label += slo_text(s);
    if (s.comparator() == Slo::COMPARATOR_UNSPECIFIED) problems.push_back(label + ": comparator is required (LT, LE, GT, GE, EQ)");
    if (!scope_allowed(*m, scope_of(s))) problems.push_back(label + ": " + std::string(m->text) + " has no value at this scope");
    try {
      threshold_value(s);
    } catch (const SloError& e) {
      problems.push_back(e.what());
    }
    Slo::Scope scope = scope_of(s);
    if (scope == Slo::JOB && !s.job().empty() && !jobs.count(s.job()))
      problems.push_back(label + ": no job \"" + s.job() + "\"; jobs: " + list(jobs));
    if (scope == Slo::HOST && !s.host().empty() && !hosts.count(s.host()))
      problems.push_back(label + ": no job runs on host \"" + s.host() + "\"; hosts with jobs: " + list(hosts));
    if (scope == Slo::NAMESPACE && !s.namespace_().empty() && !namespaces.count(s.namespace_()))
      problems.push_back(label + ": no job uses namespace \"" + s.namespace_() + "\"; namespaces: " + list(namespaces));
    if (scope == Slo::TENANT && !s.tenant().empty() && !tenants.count(s.tenant()))
      problems.push_back(label + ": no job has tenant \"" + s.tenant() + "\"; tenants: " + list(tenants));
    if (scope == Slo::TENANT && tenants.empty()) problems.push_back(label + ": no job has a tenant");
    if (scope == Slo::FAULT && s.has_fault() && s.fault() >= faults)
      problems.push_back(label + ": no fault " + std::to_string(s.fault()) + "; the experiment has " + std::to_string(faults));
    if (scope == Slo::FAULT && faults == 0) problems.push_back(label + ": the experiment has no faults");
  }
  if (problems.empty()) return;
  std::string all;
  for (const std::string& p : problems) all += (all.empty() ? "" : "\n") + p;
  throw SloError(all);
}

std::vector<SloOutcome> evaluate_slos(const std::vector<Slo>& slos, const RunMetrics& run) {
  std::vector<SloOutcome> out;
  for (const Slo& s : slos) {
    const MetricInfo& m = *info(s.metric());
    double threshold = threshold_value(s);
    std::string name = s.name().empty() ? slo_text(s) : s.name();
    auto judge = [&](const std::string& subject, double v) {
      out.push_back({name, run.policy, subject, compare(v, s.comparator(), threshold), format_value(m, v),
                     std::string(comparator_text(s.comparator())) + s.threshold()});
    };
    switch (scope_of(s)) {
      case Slo::FAULT:
        for (std::size_t i = 0; i < run.faults.size(); ++i) {
          if (s.has_fault() && s.fault() != i) continue;
          judge("fault " + std::to_string(i) + " (" + run.faults[i].label + ")", fault_value(s.metric(), run.faults[i]));
        }
        break;
      case Slo::RUN: {
        double v = s.metric() == Slo::LEDGER ? (run.ledger.balanced() ? 1 : 0)
                   : s.metric() == Slo::FAILED_IO ? static_cast<double>(run.ledger.failed)
                   : s.metric() == Slo::GHOST_WRITES ? static_cast<double>(run.ghost_writes) : 0;
        if (s.metric() == Slo::ERRORS) {
          Subject all{"run", "run", "", {}};
          for (const JobMetrics& j : run.jobs) all.jobs.push_back(&j);
          v = subject_value(Slo::ERRORS, run, all);
        }
        judge("run", v);
        break;
      }
      default:
        for (const Subject& sub : job_subjects(s, run)) judge(sub.label, subject_value(s.metric(), run, sub));
    }
  }
  return out;
}

std::vector<Slo> check_run_slos(const LoadedExperiment& exp, const std::vector<std::string>& extra) {
  std::vector<Slo> slos = exp.slos;
  for (const std::string& text : extra) slos.push_back(parse_slo(text));
  check_slos(slos, exp);
  return slos;
}

std::vector<SloOutcome> judge_run_slos(const LoadedExperiment& exp, const std::vector<Slo>& slos,
                                       const std::vector<sim::RunResult>& results) {
  std::vector<SloOutcome> out;
  for (std::size_t i = 0; i < results.size(); ++i) {
    for (SloOutcome& o : evaluate_slos(slos, run_metrics(exp.runs[i], results[i]))) out.push_back(std::move(o));
  }
  return out;
}

}  // namespace mpsim::experiments
