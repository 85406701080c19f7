// fio.json: the shape of `fio --output-format=json` (fio 3.x stat.c), so fio tooling reads it.
// What fio measures and mpsim has no counterpart for is written as fio writes an idle value
// (slat_ns all zero, short_ios/drop_ios 0, timestamps 0: output must not depend on the wall clock).
#include <algorithm>
#include <cstdio>

#include "experiments/json_writer.h"
#include "experiments/reports.h"

namespace mpsim::experiments {
namespace {

std::string percentile_key(double pct) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%f", pct);  // fio prints the keys with %f: "99.000000"
  return buf;
}

void write_latency(JsonWriter& w, std::string_view name, const sim::LatencyStats& s, bool with_percentiles) {
  w.key(name).begin_object();
  w.field("min", s.min_ns).field("max", s.max_ns).field("mean", s.mean_ns).field("stddev", s.stddev_ns);
  w.field("N", s.count);
  if (with_percentiles && s.count > 0 && !s.percentiles.empty()) {
    w.key("percentile").begin_object();
    for (const auto& [pct, ns] : s.percentiles) w.field(percentile_key(pct), ns);
    w.end_object();
  }
  w.end_object();
}

void write_direction(JsonWriter& w, std::string_view name, const sim::DirectionStats& d) {
  w.key(name).begin_object();
  w.field("io_bytes", d.io_bytes).field("io_kbytes", d.io_bytes >> 10);
  w.field("bw_bytes", fio_bw_bytes(d)).field("bw", fio_bw_bytes(d) / 1024);
  w.field("iops", fio_iops(d)).field("runtime", runtime_ms(d));
  w.field("total_ios", d.total_ios).field("short_ios", std::uint64_t{0}).field("drop_ios", std::uint64_t{0});
  write_latency(w, "slat_ns", sim::LatencyStats{}, false);
  write_latency(w, "clat_ns", d.clat, true);   // fio's default: percentiles on clat only
  write_latency(w, "lat_ns", d.lat, false);
  w.end_object();
}

const JobOptions* options_for(const PlannedRun& run, const std::string& job_name) {
  for (std::size_t i = 0; i < run.scenario.jobs.size(); ++i) {
    const std::string& n = run.scenario.jobs[i].name;
    // numjobs clones are reported as "<name>.<i>".
    if (job_name == n || (job_name.size() > n.size() && job_name.compare(0, n.size(), n) == 0 && job_name[n.size()] == '.')) {
      return &run.job_options[i];
    }
  }
  return nullptr;
}

void write_job(JsonWriter& w, const RunReport& r, const sim::JobResult& job) {
  w.begin_object();
  w.field("jobname", job.name).field("groupid", 0).field("error", 0);
  w.key("job options").begin_object();
  if (const JobOptions* opts = options_for(r.run, job.name)) {
    for (const auto& [k, v] : *opts) w.field(k, v);
  }
  if (!job.tenant.empty()) w.field("mpsim_tenant", job.tenant);
  w.end_object();
  std::uint64_t runtime = std::max(runtime_ms(job.read), runtime_ms(job.write));
  w.field("elapsed", runtime / 1000).field("job_runtime", runtime);
  write_direction(w, "read", job.read);
  write_direction(w, "write", job.write);
  write_direction(w, "trim", sim::DirectionStats{});
  w.end_object();
}

}  // namespace

std::string fio_json(const RunReport& r) {
  JsonWriter w;
  w.begin_object();
  w.field("fio version", "mpsim-" MPSIM_VERSION);
  w.field("timestamp", 0).field("timestamp_ms", 0);  // deterministic output: no wall clock
  w.key("global options").begin_object();
  w.field("ioengine", "mpsim").field("randseed", std::to_string(r.result.seed));
  w.field("mpsim_experiment", r.run.scenario.name).field("mpsim_policy", r.run.policy_text);
  w.end_object();
  w.key("jobs").begin_array();
  for (const sim::JobResult& job : r.result.jobs) write_job(w, r, job);
  w.end_array();
  w.key("disk_util").begin_array().end_array();
  if (!r.result.tenants.empty()) {  // an extra key: fio readers skip it; each entry has a job's shape
    w.key("mpsim_tenants").begin_array();
    for (const sim::TenantResult& t : r.result.tenants) {
      w.begin_object().field("jobname", "tenant " + t.name).field("groupid", 0).field("error", 0);
      w.key("mpsim_jobs").begin_array();
      for (const std::string& j : t.jobs) w.value(j);
      w.end_array();
      w.field("mpsim_host_throttled_ms", static_cast<double>(t.host_throttled.count()) / 1e6);
      w.field("mpsim_target_throttled_ms", static_cast<double>(t.target_throttled.count()) / 1e6);
      write_direction(w, "read", t.read);
      write_direction(w, "write", t.write);
      write_direction(w, "trim", sim::DirectionStats{});
      w.end_object();
    }
    w.end_array();
  }
  w.end_object();
  return w.str();
}

}  // namespace mpsim::experiments
