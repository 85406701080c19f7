#include "validate/calibration.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cmath>

#include "experiments/json_writer.h"

namespace mpsim::validate {
namespace {

// z of the 99th percentile of a standard normal: ln(p99 / p50) = kZ99 * sigma for a lognormal.
constexpr double kZ99 = 2.326348;
// cv beyond this is no longer a service-time spread but scheduler noise the model cannot carry.
constexpr double kMaxCv = 2.0;
// null_blk has no queue of its own that QD16 could fill: the media never binds in the guest.
constexpr std::uint32_t kGuestParallelism = 1024;

void require_io(const CalibrationFigures& f, const char* run) {
  if (!(f.iops > 0) || !(f.mean_us > 0)) {
    throw CalibrationError(std::string("calibration run ") + run + " completed no I/O (IOPS " + std::to_string(f.iops) +
                           ", mean latency " + std::to_string(f.mean_us) + " us)");
  }
}

// The service part of QD1 latency, spread as a lognormal: sigma from its p99/p50 ratio.
double service_cv(const CalibrationFigures& qd1, double cpu_us) {
  const double p50 = qd1.p50_us - cpu_us, p99 = qd1.p99_us - cpu_us;
  if (p50 <= 0 || p99 <= p50) return 0.0;
  const double sigma = std::log(p99 / p50) / kZ99;
  return std::min(kMaxCv, std::sqrt(std::exp(sigma * sigma) - 1.0));
}

}  // namespace

CalibrationFit fit_calibration(const CalibrationRuns& r) {
  require_io(r.qd1_read, "qd1-randread");
  require_io(r.qd16_read, "qd16-randread");
  require_io(r.qd1_write, "qd1-randwrite");
  require_io(r.qd16_write, "qd16-randwrite");
  CalibrationFit fit;
  // At QD16 the one CPU never idles: each I/O costs 1/IOPS of it. null_blk copies no data and
  // NVMe/TCP moves 4 KiB either way, so reads and writes measure the same cost; their mean
  // halves the run-to-run noise of the shared host.
  fit.read_cpu_per_io_us = 1e6 / r.qd16_read.iops;
  fit.write_cpu_per_io_us = 1e6 / r.qd16_write.iops;
  fit.cpu_per_io_us = (fit.read_cpu_per_io_us + fit.write_cpu_per_io_us) / 2.0;
  // At QD1 an I/O is its CPU work plus time the CPU waits (wake-ups, softirq hand-offs): the
  // service time the simulator charges off-CPU.
  fit.read_service_us = std::max(0.0, r.qd1_read.mean_us - fit.cpu_per_io_us);
  fit.write_service_us = std::max(0.0, r.qd1_write.mean_us - fit.cpu_per_io_us);
  fit.latency_cv = service_cv(r.qd1_read, fit.cpu_per_io_us);
  return fit;
}

void apply_calibration(const CalibrationFit& fit, sim::Scenario& s) {
  for (auto& host : *s.topology.mutable_hosts()) {
    if (host.numa_nodes_size() == 1) host.mutable_numa_nodes(0)->set_cpus(1);
  }
  s.models.host_cpu = {fit.cpu_per_io_us, 0.0};
  s.models.target_cpu = {0.0, 0.0};
  for (auto& [name, media] : s.models.media) {
    media.read_latency_us = fit.read_service_us;
    media.write_latency_us = fit.write_service_us;
    media.latency_cv = fit.latency_cv;
    media.parallelism = kGuestParallelism;
  }
}

namespace {

void write_figures(experiments::JsonWriter& w, const char* name, const CalibrationFigures& f) {
  w.key(name).begin_object().field("iops", f.iops).field("mean_us", f.mean_us);
  w.field("p50_us", f.p50_us).field("p99_us", f.p99_us).end_object();
}

using google::protobuf::Struct;
using google::protobuf::Value;

const Value& member(const Struct& s, const std::string& name, const std::string& where) {
  auto it = s.fields().find(name);
  if (it == s.fields().end()) throw CalibrationError(where + ": missing field \"" + name + "\"");
  return it->second;
}

double number(const Struct& s, const std::string& name, const std::string& where) {
  const Value& v = member(s, name, where);
  if (v.kind_case() != Value::kNumberValue) throw CalibrationError(where + ": field \"" + name + "\" is not a number");
  return v.number_value();
}

std::string text(const Struct& s, const std::string& name, const std::string& where) {
  const Value& v = member(s, name, where);
  if (v.kind_case() != Value::kStringValue) throw CalibrationError(where + ": field \"" + name + "\" is not a string");
  return v.string_value();
}

const Struct& object(const Struct& s, const std::string& name, const std::string& where) {
  const Value& v = member(s, name, where);
  if (v.kind_case() != Value::kStructValue) throw CalibrationError(where + ": field \"" + name + "\" is not an object");
  return v.struct_value();
}

CalibrationFigures read_figures(const Struct& runs, const std::string& name, const std::string& where) {
  const std::string at = where + ": runs." + name;
  const Struct& o = object(runs, name, where + ": runs");
  return {number(o, "iops", at), number(o, "mean_us", at), number(o, "p50_us", at), number(o, "p99_us", at)};
}

}  // namespace

std::string calibration_json(const Calibration& c) {
  experiments::JsonWriter w;
  w.begin_object().field("kernel", c.kernel).field("command", c.command);
  w.key("runs").begin_object();
  write_figures(w, "qd1-randread", c.runs.qd1_read);
  write_figures(w, "qd16-randread", c.runs.qd16_read);
  write_figures(w, "qd1-randwrite", c.runs.qd1_write);
  write_figures(w, "qd16-randwrite", c.runs.qd16_write);
  w.end_object().key("fit").begin_object();
  w.field("read_cpu_per_io_us", c.fit.read_cpu_per_io_us).field("write_cpu_per_io_us", c.fit.write_cpu_per_io_us);
  w.field("host_cpus", 1).field("host_cpu_per_io_us", c.fit.cpu_per_io_us).field("target_cpu_per_io_us", 0.0);
  w.field("read_service_us", c.fit.read_service_us).field("write_service_us", c.fit.write_service_us);
  w.field("latency_cv", c.fit.latency_cv).field("parallelism", kGuestParallelism);
  w.end_object().end_object();
  return w.str();
}

Calibration parse_calibration_json(std::string_view json, const std::string& origin) {
  Struct root;
  auto status = google::protobuf::util::JsonStringToMessage(std::string(json), &root);
  if (!status.ok()) throw CalibrationError(origin + ": not JSON: " + std::string(status.message()));
  Calibration c;
  c.source = origin;
  c.kernel = text(root, "kernel", origin);
  c.command = text(root, "command", origin);
  const Struct& runs = object(root, "runs", origin);
  c.runs = {read_figures(runs, "qd1-randread", origin), read_figures(runs, "qd16-randread", origin),
            read_figures(runs, "qd1-randwrite", origin), read_figures(runs, "qd16-randwrite", origin)};
  const Struct& fit = object(root, "fit", origin);
  const std::string at = origin + ": fit";
  c.fit.cpu_per_io_us = number(fit, "host_cpu_per_io_us", at);
  c.fit.read_service_us = number(fit, "read_service_us", at);
  c.fit.write_service_us = number(fit, "write_service_us", at);
  c.fit.latency_cv = number(fit, "latency_cv", at);
  c.fit.read_cpu_per_io_us = number(fit, "read_cpu_per_io_us", at);
  c.fit.write_cpu_per_io_us = number(fit, "write_cpu_per_io_us", at);
  return c;
}

}  // namespace mpsim::validate
