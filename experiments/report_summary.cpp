// summary.json (one policy's run, everything machine-readable) and comparison.json.
#include <filesystem>

#include "experiments/json_writer.h"
#include "experiments/reports.h"

namespace mpsim::experiments {
namespace {

void write_us_or_null(JsonWriter& w, std::string_view key, std::optional<std::int64_t> ns) {
  w.key(key);
  if (ns) w.value(static_cast<double>(*ns) / 1e3);
  else w.null();
}

void write_ms_or_null(JsonWriter& w, std::string_view key, sim::Duration d) {
  w.key(key);
  if (d.count() >= 0) w.value(static_cast<double>(d.count()) / 1e6);
  else w.null();  // the engine's -1: never happened
}

void write_direction(JsonWriter& w, std::string_view name, const sim::DirectionStats& d) {
  w.key(name).begin_object();
  w.field("ios", d.total_ios).field("errors", d.errors).field("io_bytes", d.io_bytes);
  w.field("runtime_s", seconds(d.runtime)).field("iops", fio_iops(d));
  w.field("MBps", static_cast<double>(fio_bw_bytes(d)) / 1e6);
  // No completions, no latency: null rather than a misleading 0.
  auto measured = [&](std::optional<std::int64_t> ns) { return d.clat.count ? ns : std::nullopt; };
  w.key("clat_us").begin_object();
  w.key("mean");
  if (d.clat.count) w.value(d.clat.mean_ns / 1e3);
  else w.null();
  write_us_or_null(w, "p50", measured(percentile_ns(d.clat, 50.0)));
  write_us_or_null(w, "p99", measured(percentile_ns(d.clat, 99.0)));
  write_us_or_null(w, "p99.9", measured(percentile_ns(d.clat, 99.9)));
  write_us_or_null(w, "max", measured(d.clat.max_ns));
  w.end_object();
  w.end_object();
}

void write_jobs(JsonWriter& w, const sim::RunResult& r) {
  w.key("jobs").begin_array();
  for (const sim::JobResult& j : r.jobs) {
    w.begin_object().field("name", j.name).field("host", j.host).field("nqn", j.nqn).field("nsid", j.nsid);
    write_direction(w, "read", j.read);
    write_direction(w, "write", j.write);
    w.end_object();
  }
  w.end_array();
}

void write_tenants(JsonWriter& w, const sim::RunResult& r) {
  if (r.tenants.empty()) return;
  w.key("tenants").begin_array();
  for (const sim::TenantResult& t : r.tenants) {
    w.begin_object().field("name", t.name);
    w.key("jobs").begin_array();
    for (const std::string& j : t.jobs) w.value(j);
    w.end_array();
    w.field("host_throttled_ms", static_cast<double>(t.host_throttled.count()) / 1e6);
    w.field("target_throttled_ms", static_cast<double>(t.target_throttled.count()) / 1e6);
    w.field("throttled_ios", t.throttled_ios);
    write_direction(w, "read", t.read);
    write_direction(w, "write", t.write);
    w.end_object();
  }
  w.end_array();
}

void write_paths(JsonWriter& w, const sim::RunResult& r) {
  w.key("paths").begin_array();
  for (const sim::PathResult& p : r.paths) {
    const sim::HeadNames& head = r.head(p);
    w.begin_object().field("host", head.host).field("nqn", head.nqn).field("nsid", head.nsid);
    w.field("controller", r.controller(p));
    w.field("ios", p.ios).field("share_pct", 100.0 * p.share).field("failover_events", p.failover_events);
    w.field("failed_over_ios", p.failed_over_ios).field("retries", p.retries);
    w.end_object();
  }
  w.end_array();
}

// Percentiles of every I/O of a job (clones pooled), a host, a namespace across hosts, the run.
void write_pooled(JsonWriter& w, const sim::RunResult& r) {
  w.key("pooled_latency").begin_array();
  for (const sim::PooledLatency& p : r.pooled) {
    w.begin_object().field("scope", p.scope).field("key", p.key).field("ios", p.clat.count);
    auto measured = [&](std::optional<std::int64_t> ns) { return p.clat.count ? ns : std::nullopt; };
    write_us_or_null(w, "p50_us", measured(percentile_ns(p.clat, 50.0)));
    write_us_or_null(w, "p99_us", measured(percentile_ns(p.clat, 99.0)));
    write_us_or_null(w, "p99.9_us", measured(percentile_ns(p.clat, 99.9)));
    write_us_or_null(w, "max_us", measured(p.clat.max_ns));
    w.end_object();
  }
  w.end_array();
}

void write_ghosts(JsonWriter& w, const sim::GhostWrites& g) {
  w.key("ghost_writes").begin_object();
  w.field("count", g.count).field("blocks", g.blocks);
  w.field("worst_window_us", static_cast<double>(g.worst_window.count()) / 1e3);
  w.end_object();
}

// The target's side of commands the host gave up on: apart from the ledger, which counts each
// of their I/Os once on the host's side.
void write_abandoned(JsonWriter& w, const sim::RunResult& r) {
  const sim::AbandonedCommands& a = r.abandoned;
  w.key("abandoned_commands").begin_object();
  w.field("landed", a.landed).field("landed_writes", a.landed_writes).field("lost", a.lost);
  w.field("at_media_at_end", a.at_media_at_end).field("tracked_blocks", a.tracked_blocks);
  w.end_object();
  write_ghosts(w, r.ghost_writes);
}

void write_faults(JsonWriter& w, const sim::RunResult& r) {
  w.key("faults").begin_array();
  for (const sim::FaultMeasure& f : r.faults) {
    w.begin_object().field("label", f.label).field("at_s", seconds(f.at)).field("end_s", seconds(f.end));
    w.field("stall_ms", static_cast<double>(f.stall.count()) / 1e6);
    w.field("p99_during_us", static_cast<double>(f.p99_during_ns) / 1e3);
    w.field("p99_during_at_least", f.p99_during_at_least).field("ios_during", f.ios_during);
    w.field("failed_during", f.failed_during).field("stuck_during", f.stuck_during);
    w.field("p99_steady_us", static_cast<double>(f.p99_steady_ns) / 1e3);
    write_ms_or_null(w, "time_to_detect_ms", f.time_to_detect);
    write_ms_or_null(w, "time_to_full_throughput_ms", f.time_to_full_throughput);
    write_ghosts(w, f.ghost_writes);
    w.end_object();
  }
  w.end_array();
}

void write_ledger(JsonWriter& w, const sim::Ledger& l) {
  w.key("ledger").begin_object();
  w.field("submitted", l.submitted).field("completed", l.completed).field("failed", l.failed);
  w.field("inflight_at_end", l.inflight_at_end).field("balanced", l.balanced());
  w.key("failed_by_reason").begin_object();
  for (const auto& [reason, n] : l.failed_by_reason) w.field(reason, n);  // std::map: sorted
  w.end_object();
  w.end_object();
}

void write_run(JsonWriter& w, const RunReport& r) {
  w.field("policy", r.run.policy_text).field("label", r.run.label).field("seed", r.result.seed);
  w.field("simulated_s", seconds(r.result.simulated)).field("simulated_ios", r.result.simulated_ios);
  write_jobs(w, r.result);
  write_pooled(w, r.result);
  write_tenants(w, r.result);
  write_paths(w, r.result);
  write_faults(w, r.result);
  write_ledger(w, r.result.ledger);
  write_abandoned(w, r.result);
}

// The file name only: the path it was loaded by depends on the caller's working directory.
std::string source_file(const LoadedExperiment& exp) { return std::filesystem::path(exp.source).filename().string(); }

}  // namespace

std::string summary_json(const LoadedExperiment& exp, const RunReport& r) {
  JsonWriter w;
  w.begin_object().field("experiment", exp.name).field("source", source_file(exp));
  write_run(w, r);
  w.end_object();
  return w.str();
}

std::string comparison_json(const LoadedExperiment& exp, const std::vector<RunReport>& reports) {
  JsonWriter w;
  w.begin_object().field("experiment", exp.name).field("source", source_file(exp));
  w.key("runs").begin_array();
  for (const RunReport& r : reports) {
    w.begin_object();
    write_run(w, r);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.str();
}

}  // namespace mpsim::experiments
