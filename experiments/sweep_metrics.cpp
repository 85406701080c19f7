// RunResult -> RunMetrics and its JSON form (integers as integers so a round trip is exact).
#include "experiments/sweep_metrics.h"

#include <algorithm>

#include "experiments/reports.h"

namespace mpsim::experiments {
namespace {

std::int64_t worst_percentile(const sim::JobResult& job, double pct) {
  std::int64_t out = 0;
  for (const sim::DirectionStats* d : {&job.read, &job.write}) {
    if (d->clat.count > 0) out = std::max(out, percentile_ns(d->clat, pct).value_or(0));
  }
  return out;
}

}  // namespace

double JobMetrics::iops() const { return runtime_ms == 0 ? 0.0 : 1000.0 * static_cast<double>(ios) / runtime_ms; }
double JobMetrics::mbps() const {
  return runtime_ms == 0 ? 0.0 : static_cast<double>(bytes) / 1e6 * 1000.0 / static_cast<double>(runtime_ms);
}

RunMetrics run_metrics(const PlannedRun& run, const sim::RunResult& result) {
  RunMetrics m;
  m.policy = run.policy_text;
  for (const sim::JobResult& j : result.jobs) {
    JobMetrics jm{j.name, j.host, j.nqn, j.nsid};
    jm.tenant = j.tenant;
    jm.ios = j.read.total_ios + j.write.total_ios;
    jm.bytes = j.read.io_bytes + j.write.io_bytes;
    jm.errors = j.read.errors + j.write.errors;
    jm.runtime_ms = std::max(runtime_ms(j.read), runtime_ms(j.write));
    jm.p50_ns = worst_percentile(j, 50);
    jm.p99_ns = worst_percentile(j, 99);
    jm.p999_ns = worst_percentile(j, 99.9);
    jm.max_ns = std::max(j.read.clat.count ? j.read.clat.max_ns : 0, j.write.clat.count ? j.write.clat.max_ns : 0);
    m.jobs.push_back(jm);
  }
  for (const sim::PooledLatency& p : result.pooled) {
    auto pct = [&](double q) { return p.clat.count ? percentile_ns(p.clat, q).value_or(0) : 0; };
    m.pooled.push_back({p.scope, p.key, p.clat.count, pct(50), pct(99), pct(99.9), p.clat.count ? p.clat.max_ns : 0});
  }
  for (const sim::FaultMeasure& f : result.faults) {
    m.faults.push_back({f.label, f.at.count(), f.stall.count(), f.time_to_detect.count(),
                        f.time_to_full_throughput.count(), f.p99_during_ns, f.stuck_during, f.ghost_writes.count});
  }
  m.ledger = result.ledger;
  m.ghost_writes = result.ghost_writes.count;
  return m;
}

nlohmann::json to_json(const RunMetrics& m) {
  nlohmann::json j;
  j["policy"] = m.policy;
  j["jobs"] = nlohmann::json::array();
  for (const JobMetrics& x : m.jobs) {
    j["jobs"].push_back({{"name", x.name}, {"host", x.host}, {"nqn", x.nqn}, {"nsid", x.nsid}, {"ios", x.ios},
                         {"bytes", x.bytes}, {"errors", x.errors}, {"runtime_ms", x.runtime_ms},
                         {"p50_ns", x.p50_ns}, {"p99_ns", x.p99_ns}, {"p999_ns", x.p999_ns}, {"max_ns", x.max_ns}});
    if (!x.tenant.empty()) j["jobs"].back()["tenant"] = x.tenant;
  }
  j["pooled"] = nlohmann::json::array();
  for (const PooledMetrics& p : m.pooled) {
    j["pooled"].push_back({{"scope", p.scope}, {"key", p.key}, {"ios", p.ios}, {"p50_ns", p.p50_ns},
                           {"p99_ns", p.p99_ns}, {"p999_ns", p.p999_ns}, {"max_ns", p.max_ns}});
  }
  j["faults"] = nlohmann::json::array();
  for (const FaultMetrics& f : m.faults) {
    j["faults"].push_back({{"label", f.label}, {"at_ns", f.at_ns}, {"stall_ns", f.stall_ns}, {"detect_ns", f.detect_ns},
                           {"recover_ns", f.recover_ns}, {"p99_during_ns", f.p99_during_ns},
                           {"stuck_during", f.stuck_during},
                           {"ghost_writes", f.ghost_writes}});
  }
  const sim::Ledger& l = m.ledger;
  j["ledger"] = {{"submitted", l.submitted}, {"completed", l.completed}, {"failed", l.failed},
                 {"inflight_at_end", l.inflight_at_end}, {"failed_by_reason", l.failed_by_reason}};
  j["ghost_writes"] = m.ghost_writes;
  return j;
}

RunMetrics run_metrics_from_json(const nlohmann::json& j) {
  RunMetrics m;
  m.policy = j.at("policy").get<std::string>();
  for (const auto& x : j.at("jobs")) {
    JobMetrics jm;
    jm.name = x.at("name").get<std::string>();
    jm.host = x.at("host").get<std::string>();
    jm.nqn = x.at("nqn").get<std::string>();
    x.at("nsid").get_to(jm.nsid);
    if (x.contains("tenant")) jm.tenant = x.at("tenant").get<std::string>();
    x.at("ios").get_to(jm.ios);
    x.at("bytes").get_to(jm.bytes);
    x.at("errors").get_to(jm.errors);
    x.at("runtime_ms").get_to(jm.runtime_ms);
    x.at("p50_ns").get_to(jm.p50_ns);
    x.at("p99_ns").get_to(jm.p99_ns);
    x.at("p999_ns").get_to(jm.p999_ns);
    x.at("max_ns").get_to(jm.max_ns);
    m.jobs.push_back(jm);
  }
  for (const auto& x : j.at("pooled")) {
    PooledMetrics p;
    p.scope = x.at("scope").get<std::string>();
    p.key = x.at("key").get<std::string>();
    x.at("ios").get_to(p.ios);
    x.at("p50_ns").get_to(p.p50_ns);
    x.at("p99_ns").get_to(p.p99_ns);
    x.at("p999_ns").get_to(p.p999_ns);
    x.at("max_ns").get_to(p.max_ns);
    m.pooled.push_back(p);
  }
  for (const auto& x : j.at("faults")) {
    FaultMetrics f;
    f.label = x.at("label").get<std::string>();
    x.at("at_ns").get_to(f.at_ns);
    x.at("stall_ns").get_to(f.stall_ns);
    x.at("detect_ns").get_to(f.detect_ns);
    x.at("recover_ns").get_to(f.recover_ns);
    x.at("p99_during_ns").get_to(f.p99_during_ns);
    x.at("stuck_during").get_to(f.stuck_during);
    f.ghost_writes = x.value("ghost_writes", std::uint64_t{0});  // absent from files written before it existed
    m.faults.push_back(f);
  }
  const auto& l = j.at("ledger");
  l.at("submitted").get_to(m.ledger.submitted);
  l.at("completed").get_to(m.ledger.completed);
  l.at("failed").get_to(m.ledger.failed);
  l.at("inflight_at_end").get_to(m.ledger.inflight_at_end);
  l.at("failed_by_reason").get_to(m.ledger.failed_by_reason);
  m.ghost_writes = j.value("ghost_writes", std::uint64_t{0});
  return m;
}

const PooledMetrics* find_pooled(const RunMetrics& m, std::string_view scope, std::string_view key) {
  for (const PooledMetrics& p : m.pooled) {
    if (p.scope == scope && p.key == key) return &p;
  }
  return nullptr;
}

}  // namespace mpsim::experiments
