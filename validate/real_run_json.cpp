// validation-real.json: the real kernel's side of one scenario.
#include "experiments/json_writer.h"
#include "validate/real_run.h"

namespace mpsim::validate {
namespace {

using experiments::JsonWriter;

double us(std::int64_t ns) { return ns < 0 ? -1.0 : static_cast<double>(ns) / 1000.0; }

void write_direction(JsonWriter& w, const char* name, const sim::DirectionStats& d) {
  w.key(name).begin_object();
  w.field("ios", d.total_ios);
  w.field("io_bytes", d.io_bytes);
  w.field("runtime_ms", static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(d.runtime).count()));
  w.field("clat_mean_us", d.clat.mean_ns / 1000.0);
  w.field("clat_p50_us", us(percentile_ns(d.clat, 50.0)));
  w.field("clat_p99_us", us(percentile_ns(d.clat, 99.0)));
  w.field("clat_p99.9_us", us(percentile_ns(d.clat, 99.9)));
  w.end_object();
}

void write_jobs(JsonWriter& w, const RealRun& run) {
  w.key("fio_jobs").begin_array();
  for (const auto& j : run.jobs) {
    w.begin_object();
    w.field("name", j.result.name);
    w.field("total_err", j.total_err);
    w.field("error", j.error);
    write_direction(w, "read", j.result.read);
    write_direction(w, "write", j.result.write);
    w.end_object();
  }
  w.end_array();
}

void write_paths(JsonWriter& w, const RealRun& run) {
  w.key("paths").begin_array();
  for (const auto& p : run.paths) {
    w.begin_object().field("controller", p.controller).field("port", p.port).field("ios", p.ios).field("share", p.share).end_object();
  }
  w.end_array();
}

void write_faults(JsonWriter& w, const RealRun& run) {
  w.key("faults").begin_array();
  for (const auto& f : run.faults) {
    w.begin_object();
    w.field("label", f.label).field("at_ms", f.at_ms).field("applied_ms", f.applied_ms).field("applied_end_ms", f.applied_end_ms).field("end_ms", f.end_ms).field("stall_ms", f.stall_ms);
    w.field("time_to_detect_ms", f.time_to_detect_ms).field("time_to_restore_ms", f.time_to_restore_ms);
    w.field("time_to_full_throughput_ms", f.time_to_full_throughput_ms);
    w.end_object();
  }
  w.end_array();
  w.key("actions").begin_array();
  for (const auto& a : run.actions) w.begin_object().field("t_ms", a.t_ms).field("action", a.action).field("detail", a.detail).end_object();
  w.end_array();
}

}  // namespace

std::string real_run_json(const RealRun& run) {
  JsonWriter w;
  w.begin_object();
  w.field("scenario", run.scenario);
  w.field("engine", "linux-uml-guest");
  w.field("kernel", run.kernel);
  w.field("policy", run.policy);
  w.field("boot_wall_ms", run.boot_wall_ms);
  w.field("measure_from_ms", run.measure_from_ms).field("measure_to_ms", run.measure_to_ms);
  w.field("completions", run.completions);
  w.field("iops", run.iops);
  w.field("p50_us", us(run.p50_ns)).field("p99_us", us(run.p99_ns)).field("p99.9_us", us(run.p999_ns));
  w.field("stall_ms", run.stall_ms);
  w.field("errors", run.errors);
  write_paths(w, run);
  write_jobs(w, run);
  write_faults(w, run);
  w.end_object();
  return w.str();
}

}  // namespace mpsim::validate
