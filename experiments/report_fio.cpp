// fio.json: the shape of `fio --output-format=json+` (fio 3.33 stat.c, show_thread_status_json),
// so fio tooling reads it: the clat bins, the iops/bw sample statistics, the depth and latency
// distributions (experiments/fio_stats.h computes them as fio does). What fio measures and mpsim
// has no counterpart for is written as fio writes an idle value (slat_ns all zero, CPU use and
// context switches 0, timestamps 0: output must not depend on the wall clock).
#include <algorithm>
#include <array>
#include <cstdio>

#include "experiments/fio_logs.h"
#include "experiments/fio_stats.h"
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
    w.key("bins").begin_object();  // json+
    for (const auto& [value, count] : fio::plat_bins(s)) w.field(std::to_string(value), count);
    w.end_object();
  }
  w.end_object();
}

// What the direction's numbers are relative to: the sampling and the group's bandwidth.
struct DirectionContext {
  std::uint64_t window_ms;        // width of the simulator's sample windows
  std::uint64_t rate_ms;          // fio's iops_avg_time / bw_avg_time in effect
  std::array<std::uint64_t, 3> group_bw_bytes;  // rs->agg per direction: every job's bytes over the longest runtime
};

void write_direction(JsonWriter& w, std::string_view name, int ddir, const sim::DirectionStats& d,
                     const DirectionContext& c) {
  w.key(name).begin_object();
  w.field("io_bytes", d.io_bytes).field("io_kbytes", d.io_bytes >> 10);
  w.field("bw_bytes", fio_bw_bytes(d)).field("bw", fio_bw_bytes(d) / 1024);
  w.field("iops", fio_iops(d)).field("runtime", runtime_ms(d));
  w.field("total_ios", d.total_ios).field("short_ios", std::uint64_t{0}).field("drop_ios", std::uint64_t{0});
  write_latency(w, "slat_ns", sim::LatencyStats{}, false);
  write_latency(w, "clat_ns", d.clat, true);   // fio's default: percentiles (and json+ bins) on clat only
  write_latency(w, "lat_ns", d.lat, false);

  const std::uint64_t measured = runtime_ms(d);
  const auto bw = fio::sample_stats(fio::rate_samples(d, c.window_ms, c.rate_ms, measured, true));
  const auto iops = fio::sample_stats(fio::rate_samples(d, c.window_ms, c.rate_ms, measured, false));
  double agg = 0.0;  // stat.c convert_agg_kbytes_percent, with the mean passed as an int
  if (bw.samples > 0) {
    agg = 100.0;
    const double group = double(c.group_bw_bytes[ddir]);
    if (group > 1024) agg = std::min(100.0, double(std::int64_t(bw.mean)) * 100.0 / (group / 1024.0));
  }
  w.field("bw_min", bw.min).field("bw_max", bw.max).field("bw_agg", agg);
  w.field("bw_mean", bw.mean).field("bw_dev", bw.stddev).field("bw_samples", bw.samples);
  w.field("iops_min", iops.min).field("iops_max", iops.max);
  w.field("iops_mean", iops.mean).field("iops_stddev", iops.stddev).field("iops_samples", iops.samples);
  w.end_object();
}

void write_sync(JsonWriter& w) {
  w.key("sync").begin_object();
  w.field("total_ios", std::uint64_t{0});
  write_latency(w, "lat_ns", sim::LatencyStats{}, false);
  w.end_object();
}

template <std::size_t N>
void write_shares(JsonWriter& w, std::string_view name, const std::array<double, N>& shares,
                  const std::array<const char*, N>& keys) {
  w.key(name).begin_object();
  for (std::size_t i = 0; i < N; ++i) w.field(keys[i], shares[i]);
  w.end_object();
}

void write_distributions(JsonWriter& w, const sim::JobResult& job) {
  write_shares(w, "iodepth_level", fio::depth_shares(job.depth.at_submit), {"1", "2", "4", "8", "16", "32", ">=64"});
  const std::array<const char*, 7> calls{"0", "4", "8", "16", "32", "64", ">=64"};
  write_shares(w, "iodepth_submit", fio::depth_shares(job.depth.submits), calls);
  write_shares(w, "iodepth_complete", fio::depth_shares(job.depth.reaps), calls);
  const fio::LatencyShares lat = fio::latency_shares({&job.read.clat, &job.write.clat});
  const std::array<const char*, 10> ranges{"2", "4", "10", "20", "50", "100", "250", "500", "750", "1000"};
  write_shares(w, "latency_ns", lat.ns, ranges);
  write_shares(w, "latency_us", lat.us, ranges);
  write_shares(w, "latency_ms", lat.ms,
               {"2", "4", "10", "20", "50", "100", "250", "500", "750", "1000", "2000", ">=2000"});
}

std::size_t spec_index(const PlannedRun& run, const std::string& job_name) {
  for (std::size_t i = 0; i < run.scenario.jobs.size(); ++i) {
    const std::string& n = run.scenario.jobs[i].name;
    // numjobs clones are reported as "<name>.<i>".
    if (job_name == n || (job_name.size() > n.size() && job_name.compare(0, n.size(), n) == 0 && job_name[n.size()] == '.')) {
      return i;
    }
  }
  return run.scenario.jobs.size();
}

void write_job(JsonWriter& w, const RunReport& r, const sim::JobResult& job, const DirectionContext& c) {
  w.begin_object();
  w.field("jobname", job.name).field("groupid", 0).field("error", fio::job_errno(job)).field("eta", 0);
  const std::size_t spec = spec_index(r.run, job.name);
  w.key("job options").begin_object();
  if (spec < r.run.job_options.size()) {
    for (const auto& [k, v] : r.run.job_options[spec]) w.field(k, v);
  }
  if (!job.tenant.empty()) w.field("mpsim_tenant", job.tenant);
  w.end_object();
  std::uint64_t runtime = std::max(runtime_ms(job.read), runtime_ms(job.write));
  w.field("elapsed", runtime / 1000);
  write_direction(w, "read", 0, job.read, c);
  write_direction(w, "write", 1, job.write, c);
  write_direction(w, "trim", 2, sim::DirectionStats{}, c);
  write_sync(w);
  w.field("job_runtime", runtime);
  w.field("usr_cpu", 0.0).field("sys_cpu", 0.0).field("ctx", 0).field("majf", 0).field("minf", 0);
  write_distributions(w, job);
  if (spec < r.run.scenario.jobs.size()) {  // fio writes these when latency_depth (= iodepth) is set
    w.field("latency_depth", r.run.scenario.jobs[spec].iodepth).field("latency_target", 0);
    w.field("latency_percentile", 100.0).field("latency_window", 0);
  }
  w.end_object();
}

}  // namespace

std::string fio_json(const RunReport& r) {
  DirectionContext c{};
  c.window_ms = std::uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(r.run.scenario.sample_interval).count());
  c.rate_ms = fio::rate_interval_ms(r.run.fio_log_avg_ms);
  std::array<std::uint64_t, 2> bytes{}, longest{};
  for (const sim::JobResult& job : r.result.jobs) {
    bytes[0] += job.read.io_bytes;
    bytes[1] += job.write.io_bytes;
    longest[0] = std::max(longest[0], runtime_ms(job.read));
    longest[1] = std::max(longest[1], runtime_ms(job.write));
  }
  for (int d = 0; d < 2; ++d) c.group_bw_bytes[d] = longest[d] ? bytes[d] * 1000 / longest[d] : 0;

  JsonWriter w;
  w.begin_object();
  w.field("fio version", "mpsim-" MPSIM_VERSION);
  w.field("timestamp", 0).field("timestamp_ms", 0);  // deterministic output: no wall clock
  w.field("time", "Thu Jan  1 00:00:00 1970");       // ctime() of timestamp 0
  w.key("global options").begin_object();
  w.field("ioengine", "mpsim").field("randseed", std::to_string(r.result.seed));
  w.field("mpsim_experiment", r.run.scenario.name).field("mpsim_policy", r.run.policy_text);
  w.end_object();
  w.key("jobs").begin_array();
  for (const sim::JobResult& job : r.result.jobs) write_job(w, r, job, c);
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
      write_direction(w, "read", 0, t.read, c);
      write_direction(w, "write", 1, t.write, c);
      write_direction(w, "trim", 2, sim::DirectionStats{}, c);
      w.end_object();
    }
    w.end_array();
  }
  w.end_object();
  return w.str();
}

}  // namespace mpsim::experiments
