#include "validate/calibration.h"


#include <algorithm>
#include <cmath>

#include "experiments/json_writer.h"
#include "topologies/json.h"

namespace mpsim::validate {
namespace {

// z of the 99th percentile of a standard normal: ln(p99 / p50) = kZ99 * sigma for a lognormal.
constexpr double kZ99 = 2.326348;
// cv beyond this is no longer a service-time spread but scheduler noise the model cannot carry.
constexpr double kMaxCv = 2.0;
// null_blk has no queue of its own that QD16 could fill: the media never binds in the guest.
constexpr std::uint32_t kGuestParallelism = 1024;
// Where the one-CPU guest's CPU time goes (models/README.md, "Where a one-core host's CPU time
// goes"): about half of an I/O's work comes after its path choice (nvme-tcp's send, nvmet's and
// nvme-tcp's io_work kworkers, the completion), and fio's next io_submit runs before the work an
// earlier one woke after about 1 in 9 calls (queue-depth's 8-12 % on the second of two idle paths
// in the unloaded runs s3-s7, validate/README.md "queue-depth with single submissions").
constexpr double kGuestCompletionShare = 0.5;
constexpr double kGuestSubmitterKeepsCpu = 0.11;
// The queue depth of the qd16 calibration files.
constexpr double kQd = 16.0;
// The share of I/Os above p99.
constexpr double kTail = 0.01;

void require_io(const CalibrationFigures& f, const char* run) {
  if (!(f.iops > 0) || !(f.mean_us > 0) || !(f.p50_us > 0)) {
    throw CalibrationError(std::string("calibration run ") + run + " completed no I/O (IOPS " + std::to_string(f.iops) +
                           ", mean latency " + std::to_string(f.mean_us) + " us, p50 " + std::to_string(f.p50_us) +
                           " us)");
  }
}

// The service part of QD1 latency, spread as a lognormal: sigma from its p99/p50 ratio.
double service_cv(const CalibrationFigures& qd1, double cpu_us) {
  const double p50 = qd1.p50_us - cpu_us, p99 = qd1.p99_us - cpu_us;
  if (p50 <= 0 || p99 <= p50) return 0.0;
  const double sigma = std::log(p99 / p50) / kZ99;
  return std::min(kMaxCv, std::sqrt(std::exp(sigma * sigma) - 1.0));
}

// How far above p50 the p99 of a QD16 I/O lies when pauses of mean length d (us) take away
// `lost` us per us of work and an I/O is exposed to them for `window` us: it is hit by one with
// probability h = 1 - exp(-lost * window / d), and a hit adds an exponential pause, so
// P(latency > p50 + x) = h exp(-x / d) and x99 = d ln(h / kTail).
double tail_above_p50(double d, double lost, double window) {
  const double hit = -std::expm1(-lost * window / d);
  return d * std::log(hit / kTail);
}

// The shortest mean pause whose tail reaches `x` us above p50 (more and shorter pauses for the
// same lost time would leave p99 short of it); the longest-reaching one if none does.
double mean_pause_for_tail(double x, double lost, double window) {
  // tail_above_p50 rises from 0 at d -> 0 to a peak near d = lost * window / (e * kTail).
  const double top = 10.0 * lost * window / kTail;
  double lo = 0, best = top, best_tail = -1;
  constexpr int kSteps = 400;
  for (int i = 1; i <= kSteps; ++i) {
    const double d = top * std::pow(1e-6, 1.0 - double(i) / kSteps);  // log grid, top * 1e-6 .. top
    const double tail = tail_above_p50(d, lost, window);
    if (tail >= x) {
      double hi = d;
      for (int k = 0; k < 100; ++k) {
        const double mid = (lo + hi) / 2;
        (tail_above_p50(mid, lost, window) < x ? lo : hi) = mid;
      }
      return hi;
    }
    if (tail > best_tail) best_tail = tail, best = d;
    lo = d;
  }
  return best;
}

// What one QD16 run says about the CPU pauses: lost time per unit of work time, and the mean
// pause length that gives its p99 (0 when the CPU was never away).
struct PauseEstimate {
  double lost = 0;
  double mean_us = 0;
};

// At QD16 the one CPU never idles: the median I/O waited for 16 I/Os' CPU work and no pause,
// IOPS x CPU cost is the share of the wall time the CPU worked, p99 says how long the rest came.
PauseEstimate estimate_pauses(const CalibrationFigures& qd16, double cpu_us, const char* run) {
  const double work = cpu_us * qd16.iops / 1e6;
  if (work >= 1.0) return {};
  if (!(qd16.p99_us > qd16.p50_us)) {
    throw CalibrationError(std::string("calibration run ") + run + ": p99 (" + std::to_string(qd16.p99_us) +
                           " us) is not above p50: no tail to fit the CPU pauses to");
  }
  const double lost = 1.0 / work - 1.0;
  const double window = kQd / qd16.iops * 1e6;  // mean QD16 latency (Little)
  return {lost, mean_pause_for_tail(qd16.p99_us - qd16.p50_us, lost, window)};
}

// Pauses belong to the host, not to the I/O direction: both QD16 runs measure them, and their
// mean halves the swing of the shared host between two boots.
void fit_pauses(const CalibrationRuns& r, CalibrationFit& fit) {
  const PauseEstimate read = estimate_pauses(r.qd16_read, fit.read_cpu_per_io_us, "qd16-randread");
  const PauseEstimate write = estimate_pauses(r.qd16_write, fit.write_cpu_per_io_us, "qd16-randwrite");
  const double lost = (read.lost + write.lost) / 2.0;
  fit.cpu_available = 1.0 / (1.0 + lost);
  if (lost == 0) return;
  const int lengths = (read.lost > 0) + (write.lost > 0);
  fit.pause_mean_us = (read.mean_us + write.mean_us) / lengths;
  fit.pause_rate_per_s = lost / fit.pause_mean_us * 1e6;
}

// An unbatched I/O costs c = io + call, one of a batch of 16 io + call / 16; the CPU never idles
// at QD16, so IOPS_16 / IOPS_1 = c / (io + call / 16) within one boot: call = 16/15 c (1 - 1/R).
// A ratio below 1 (a boot that slowed between its two jobs) gives no call cost, never a negative.
double per_call_cost(const BatchingFigures& b, double cpu_per_io_us) {
  if (b.single_iops <= 0 || b.batch16_iops <= 0) return 0.0;
  const double ratio = b.batch16_iops / b.single_iops;
  return std::clamp(kQd / (kQd - 1) * cpu_per_io_us * (1.0 - 1.0 / ratio), 0.0, cpu_per_io_us);
}

}  // namespace

CalibrationFit fit_calibration(const CalibrationRuns& r) {
  require_io(r.qd1_read, "qd1-randread");
  require_io(r.qd16_read, "qd16-randread");
  require_io(r.qd1_write, "qd1-randwrite");
  require_io(r.qd16_write, "qd16-randwrite");
  CalibrationFit fit;
  // CPU work per I/O, per direction: writes also receive their data.
  fit.read_cpu_per_io_us = r.qd16_read.p50_us / kQd;
  fit.write_cpu_per_io_us = r.qd16_write.p50_us / kQd;
  fit.per_call_us = per_call_cost(r.batching, fit.read_cpu_per_io_us);
  fit.cpu_per_io_us = fit.read_cpu_per_io_us - fit.per_call_us;
  // The per-call cost comes from reads; a write's own part stays >= 0 even when the write runs
  // (another boot) came out cheaper than a read's call alone.
  fit.write_extra_us = std::max(fit.write_cpu_per_io_us - fit.read_cpu_per_io_us, -fit.cpu_per_io_us);
  // A lone median I/O is its CPU work plus time off the CPU; none is left when it costs more
  // CPU at QD16 than a whole I/O at QD1 (the guest's cost per I/O grows with queue depth).
  fit.read_service_us = std::max(0.0, r.qd1_read.p50_us - fit.read_cpu_per_io_us);
  fit.write_service_us = std::max(0.0, r.qd1_write.p50_us - fit.write_cpu_per_io_us);
  fit.latency_cv = service_cv(r.qd1_read, fit.read_cpu_per_io_us);
  fit_pauses(r, fit);
  return fit;
}

CalibrationFit fit_for_boot(const CalibrationFit& calibration, const CalibrationFigures& probe) {
  if (!(probe.iops > 0) || !(probe.p50_us > 0)) {
    throw CalibrationError("boot probe completed no I/O (IOPS " + std::to_string(probe.iops) + ", p50 " +
                           std::to_string(probe.p50_us) + " us)");
  }
  CalibrationFit fit = calibration;
  const double read_cost = probe.p50_us / kQd;
  const double scale = calibration.read_cpu_per_io_us > 0 ? read_cost / calibration.read_cpu_per_io_us : 1.0;
  fit.read_cpu_per_io_us = read_cost;
  fit.write_cpu_per_io_us = calibration.write_cpu_per_io_us * scale;
  fit.per_call_us = calibration.per_call_us * scale;
  fit.cpu_per_io_us = read_cost - fit.per_call_us;
  fit.write_extra_us = calibration.write_extra_us * scale;
  const PauseEstimate pauses = estimate_pauses(probe, read_cost, "boot probe");
  fit.cpu_available = 1.0 / (1.0 + pauses.lost);
  fit.pause_mean_us = pauses.lost > 0 ? pauses.mean_us : 0.0;
  fit.pause_rate_per_s = pauses.lost > 0 ? pauses.lost / pauses.mean_us * 1e6 : 0.0;
  return fit;
}

CalibrationFit with_extra_pauses(const CalibrationFit& fit, double lost, double mean_us) {
  if (!(lost > 0) || !(mean_us > 0)) return fit;
  const double lost_before = fit.pause_rate_per_s * fit.pause_mean_us / 1e6;
  const double window = kQd * fit.read_cpu_per_io_us * (1.0 + lost_before);  // a QD16 I/O's mean latency
  // P(an I/O is hit by a pause of stream i and delayed > x) = h_i exp(-x / d_i) (tail_above_p50)
  const auto hit = [&](double l, double d) { return d > 0 ? -std::expm1(-l * window / d) : 0.0; };
  const double h0 = hit(lost_before, fit.pause_mean_us), h1 = hit(lost, mean_us);
  const auto above = [&](double x) {
    return (h0 > 0 ? h0 * std::exp(-x / fit.pause_mean_us) : 0.0) + h1 * std::exp(-x / mean_us);
  };
  double lo = 0, hi = 50.0 * std::max(mean_us, fit.pause_mean_us);
  for (int k = 0; k < 200 && above(lo) > kTail; ++k) {
    const double mid = (lo + hi) / 2;
    (above(mid) > kTail ? lo : hi) = mid;
  }
  CalibrationFit out = fit;
  const double total = lost_before + lost;
  // No tail at all: the lost time's own mean pause
  out.pause_mean_us = above(0) > kTail ? mean_pause_for_tail(lo, total, window)
                                       : (lost_before * fit.pause_mean_us + lost * mean_us) / total;
  out.pause_rate_per_s = total / out.pause_mean_us * 1e6;
  out.cpu_available = 1.0 / (1.0 + total);
  return out;
}

void apply_calibration(const CalibrationFit& fit, sim::Scenario& s) {
  for (auto& host : *s.topology.mutable_hosts()) {
    if (host.numa_nodes_size() == 1) host.mutable_numa_nodes(0)->set_cpus(1);
  }
  s.models.host_cpu = {fit.cpu_per_io_us, 0.0, fit.write_extra_us, fit.pause_rate_per_s, fit.pause_mean_us, fit.per_call_us,
                       kGuestCompletionShare, kGuestSubmitterKeepsCpu};
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

using topology::Json;

const Json& member(const Json& s, const std::string& name, const std::string& where) {
  auto it = s.find(name);
  if (it == s.end()) throw CalibrationError(where + ": missing field \"" + name + "\"");
  return *it;
}

double number(const Json& s, const std::string& name, const std::string& where) {
  const Json& v = member(s, name, where);
  if (!v.is_number()) throw CalibrationError(where + ": field \"" + name + "\" is not a number");
  return v.get<double>();
}

double non_negative(const Json& s, const std::string& name, const std::string& where) {
  const double v = number(s, name, where);
  if (!(v >= 0)) throw CalibrationError(where + ": field \"" + name + "\" must be >= 0");
  return v;
}

std::string text(const Json& s, const std::string& name, const std::string& where) {
  const Json& v = member(s, name, where);
  if (!v.is_string()) throw CalibrationError(where + ": field \"" + name + "\" is not a string");
  return v.get<std::string>();
}

const Json& object(const Json& s, const std::string& name, const std::string& where) {
  const Json& v = member(s, name, where);
  if (!v.is_object()) throw CalibrationError(where + ": field \"" + name + "\" is not an object");
  return v;
}

CalibrationFigures read_figures(const Json& runs, const std::string& name, const std::string& where) {
  const std::string at = where + ": runs." + name;
  const Json& o = object(runs, name, where + ": runs");
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
  w.key("qd16-randread-batch").begin_object().field("single_iops", c.runs.batching.single_iops);
  w.field("batch16_iops", c.runs.batching.batch16_iops).end_object();
  w.end_object().key("fit").begin_object();
  w.field("read_cpu_per_io_us", c.fit.read_cpu_per_io_us).field("write_cpu_per_io_us", c.fit.write_cpu_per_io_us);
  w.field("host_cpus", 1).field("host_cpu_per_io_us", c.fit.cpu_per_io_us);
  w.field("host_write_extra_us", c.fit.write_extra_us).field("target_cpu_per_io_us", 0.0);
  w.field("read_service_us", c.fit.read_service_us).field("write_service_us", c.fit.write_service_us);
  w.field("latency_cv", c.fit.latency_cv).field("parallelism", kGuestParallelism);
  w.field("cpu_available", c.fit.cpu_available).field("pause_rate_per_s", c.fit.pause_rate_per_s);
  w.field("pause_mean_us", c.fit.pause_mean_us).field("host_per_call_us", c.fit.per_call_us);
  w.end_object().end_object();
  return w.str();
}

Calibration parse_calibration_json(std::string_view json, const std::string& origin) {
  Json root;
  try {
    root = Json::parse(json);
  } catch (const Json::parse_error& e) {
    throw CalibrationError(origin + ": not JSON: " + e.what());
  }
  if (!root.is_object()) throw CalibrationError(origin + ": not a JSON object");
  Calibration c;
  c.source = origin;
  c.kernel = text(root, "kernel", origin);
  c.command = text(root, "command", origin);
  const Json& runs = object(root, "runs", origin);
  c.runs = {read_figures(runs, "qd1-randread", origin), read_figures(runs, "qd16-randread", origin),
            read_figures(runs, "qd1-randwrite", origin), read_figures(runs, "qd16-randwrite", origin), {}};
  if (runs.contains("qd16-randread-batch")) {  // absent from files written before it
    const std::string at = origin + ": runs.qd16-randread-batch";
    const Json& b = object(runs, "qd16-randread-batch", origin + ": runs");
    c.runs.batching = {non_negative(b, "single_iops", at), non_negative(b, "batch16_iops", at)};
  }
  const Json& fit = object(root, "fit", origin);
  if (!fit.contains("pause_mean_us")) {
    // Written before per-direction costs and CPU pauses: its one-cost fit is refuted, refit.
    c.source = origin + ", refitted from its runs";
    c.fit = fit_calibration(c.runs);
    return c;
  }
  const std::string at = origin + ": fit";
  c.fit.cpu_per_io_us = number(fit, "host_cpu_per_io_us", at);
  c.fit.read_service_us = number(fit, "read_service_us", at);
  c.fit.write_service_us = number(fit, "write_service_us", at);
  c.fit.latency_cv = number(fit, "latency_cv", at);
  c.fit.read_cpu_per_io_us = number(fit, "read_cpu_per_io_us", at);
  c.fit.write_cpu_per_io_us = number(fit, "write_cpu_per_io_us", at);
  c.fit.write_extra_us = number(fit, "host_write_extra_us", at);
  c.fit.cpu_available = number(fit, "cpu_available", at);
  c.fit.pause_rate_per_s = non_negative(fit, "pause_rate_per_s", at);
  c.fit.pause_mean_us = non_negative(fit, "pause_mean_us", at);
  c.fit.per_call_us = fit.contains("host_per_call_us") ? non_negative(fit, "host_per_call_us", at) : 0.0;
  return c;
}

}  // namespace mpsim::validate
