#include "sim/result_assembly.h"

#include <map>
#include <stdexcept>
#include <string>
#include <utility>

#include "sim/tenants.h"

namespace mpsim::sim {

namespace {

std::string policy_label(const policies::PolicyConfig& p) {
  if (p.params.empty()) return p.name;
  std::string out = p.name + "(";
  bool first = true;
  for (const auto& [k, v] : p.params) {
    out += (first ? "" : ",") + k + "=" + v;
    first = false;
  }
  return out + ")";
}

// A histogram's stats as the result keeps them: vectors without growth slack, and the buckets
// only where a writer reads them (fio.json's json+ bins, of a job's clat alone). At 1,024 hosts
// each job's buckets were held four times (clat, lat, its job and its host pooled).
LatencyStats kept_stats(const Histogram& h, bool with_buckets) {
  LatencyStats s = h.stats();
  s.percentiles.shrink_to_fit();
  if (with_buckets) {
    s.buckets.shrink_to_fit();
  } else {
    std::vector<std::pair<std::int64_t, std::uint64_t>>().swap(s.buckets);
  }
  return s;
}

DirectionStats direction(const DirectionStats& d, const Histogram& h, std::int64_t runtime) {
  DirectionStats out = d;
  out.runtime = Duration(std::max<std::int64_t>(runtime, 0));
  out.clat = kept_stats(h, true);
  const LatencyStats& c = out.clat;  // lat: the same I/Os measured the same way, without the buckets
  out.lat = LatencyStats{c.count, c.min_ns, c.max_ns, c.mean_ns, c.stddev_ns, c.percentiles, {}};
  return out;
}

Ledger checked_ledger(HostSide& hosts) {
  const IoPool& pool = hosts.pool();
  std::uint64_t live = 0;
  for (const auto& s : pool.slots()) live += s.live ? 1 : 0;
  std::uint64_t held = 0;
  for (const auto& h : hosts.heads()) held += h.head->queued() + h.head->inflight();
  Ledger& ledger = hosts.ledger();
  ledger.inflight_at_end = live;
  if (!ledger.balanced() || held > live || live + pool.free_count() != pool.slots().size()) {
    throw std::logic_error("I/O ledger does not balance: submitted " + std::to_string(ledger.submitted) +
                           ", completed " + std::to_string(ledger.completed) + ", failed " +
                           std::to_string(ledger.failed) + ", in flight " + std::to_string(live) +
                           ", held by heads " + std::to_string(held) + ", free slots " +
                           std::to_string(pool.free_count()) + " of " + std::to_string(pool.slots().size()));
  }
  return ledger;
}

// Every job's reads and writes pooled per job name (numjobs clones together), host, namespace, tenant and
// for the whole run, in that order, keys sorted: the same run gives the same list. One pooled histogram
// is alive at a time (merged in job order, then reduced to its stats): at 1,024 hosts, holding all 2,049
// of them at once was 12 MB of the run's peak memory (issue 18).
std::vector<PooledLatency> pooled_latency(const HostSide& hosts) {
  static const char* const kScopes[] = {"job", "host", "namespace", "tenant", "run"};
  const auto& jobs = hosts.jobs();
  std::vector<PooledLatency> out;
  for (int scope = 0; scope < 5; ++scope) {
    std::map<std::string, std::vector<std::size_t>> members;  // key -> its jobs, in job order
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      const auto& j = jobs[i];
      if (scope == 3 && j.spec->tenant.empty()) continue;  // a job of no tenant is no tenant's
      const std::string key = scope == 0   ? j.spec->name
                              : scope == 1 ? hosts.hosts()[j.host].name
                              : scope == 2 ? j.spec->nqn + "/" + std::to_string(j.spec->nsid)
                              : scope == 3 ? j.spec->tenant
                                           : std::string();
      members[key].push_back(i);
    }
    for (const auto& [key, indices] : members) {
      Histogram pooled;
      for (std::size_t i : indices) {
        pooled.merge(jobs[i].read_lat);
        pooled.merge(jobs[i].write_lat);
      }
      out.push_back({kScopes[scope], key, kept_stats(pooled, false)});
    }
  }
  return out;
}

}  // namespace

RunResult assemble_result(const Scenario& s, std::int64_t end, HostSide& hosts, const Transport& transport,
                          Metrics& metrics, const RunCost& cost) {
  RunResult r;
  r.scenario = s.name;
  r.policy = policy_label(s.policy);
  r.seed = s.seed;
  r.simulated = Duration(end);
  r.simulated_ios = transport.attempts();
  r.cost = cost;
  r.ledger = checked_ledger(hosts);
  // The metrics first: they hand over their timeline and events and free their open series, so
  // what follows reuses that memory rather than adding to the run's peak.
  for (const IoSlot& slot : hosts.pool().slots()) {
    if (slot.live) metrics.in_flight_at_end(end, hosts.jobs()[slot.job].host, slot.issued);
  }
  metrics.finish(end, r);

  r.jobs.reserve(hosts.jobs().size());  // no doubling of thousands of rows at the run's memory peak
  for (const auto& j : hosts.jobs()) {
    JobResult jr;
    jr.name = j.name;
    jr.host = hosts.hosts()[j.host].name;
    jr.nqn = j.spec->nqn;
    jr.nsid = j.spec->nsid;
    jr.tenant = j.spec->tenant;
    jr.read = direction(j.read, j.read_lat, j.end - j.measure_from);
    jr.write = direction(j.write, j.write_lat, j.end - j.measure_from);
    jr.depth = j.depth;
    jr.stopped_by_error = j.stopped_by_error;
    jr.error_reason = j.error_reason;
    jr.error_status = j.error_status;
    r.jobs.push_back(std::move(jr));
  }
  r.tenants = tenant_results(hosts);
  const auto& path_ios = hosts.path_ios();
  std::size_t path_count = 0;
  for (const HeadState& hs : hosts.heads()) path_count += hs.head->paths().size();
  r.heads.reserve(hosts.heads().size());
  r.paths.reserve(path_count);
  for (std::size_t h = 0; h < hosts.heads().size(); ++h) {
    const HeadState& hs = hosts.heads()[h];
    r.heads.push_back(HeadNames{hosts.hosts()[hs.host].name, hs.nqn, hs.nsid});
    std::uint64_t total = 0;
    for (auto n : path_ios[h]) total += n;
    const auto& paths = hs.head->paths();
    for (std::size_t p = 0; p < paths.size(); ++p) {
      PathResult pr;
      pr.head = std::uint32_t(h);
      pr.controller = hs.conn_of_path[p];  // metrics.finish() named the controllers in connection order
      pr.ios = path_ios[h][p];
      pr.share = total ? double(pr.ios) / double(total) : 0;
      pr.failed_over_ios = paths[p]->counters.failovers;
      pr.failover_events = metrics.failover_events(std::uint32_t(h), std::uint32_t(p));
      pr.retries = paths[p]->counters.retries;
      r.paths.push_back(pr);
    }
  }
  r.pooled = pooled_latency(hosts);
  r.abandoned = hosts.abandoned();
  r.ghost_writes = hosts.ghost_writes();
  const auto& by_fault = hosts.ghost_writes_by_fault();
  for (std::size_t f = 0; f < r.faults.size() && f < by_fault.size(); ++f) r.faults[f].ghost_writes = by_fault[f];
  return r;
}

}  // namespace mpsim::sim
