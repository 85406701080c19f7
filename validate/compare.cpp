#include "validate/compare.h"

#include <algorithm>
#include <cmath>

#include "experiments/json_writer.h"
#include "validate/conformance.h"
#include "validate/guest_timers.h"
#include "validate/sampled_detect.h"

namespace mpsim::validate {
namespace {

CompareRow relative(const std::string& measure, double real, double sim, double fraction) {
  bool pass = real > 0 && std::fabs(sim - real) <= fraction * real;
  return {measure, real, sim, std::to_string(static_cast<int>(std::lround(fraction * 100))) + "%", pass, "", ""};
}

// Within `fraction` of the real figure or `floor_ms`, whichever is larger; -1 (never) only
// agrees with -1.
CompareRow timing(const std::string& measure, double real, double sim, double fraction, double floor_ms) {
  const std::string tol = std::to_string(static_cast<int>(std::lround(fraction * 100))) + "% or " +
                          std::to_string(static_cast<int>(floor_ms)) + "ms";
  bool pass = (real < 0 || sim < 0) ? (real < 0 && sim < 0) : std::fabs(sim - real) <= std::max(fraction * real, floor_ms);
  return {measure, real, sim, tol, pass, "", ""};
}

double ms(sim::Duration d) { return d.count() < 0 ? -1.0 : std::chrono::duration<double, std::milli>(d).count(); }

double sim_iops(const sim::RunResult& r) {
  double sum = 0;
  for (const auto& j : r.jobs) sum += j.read.iops() + j.write.iops();
  return sum;
}

// A job's total latency percentile in us (the guest measures total latency per I/O), of its
// main direction (the one with more I/O).
double job_latency_us(const sim::JobResult& j, double p) {
  const auto& lat = j.read.total_ios >= j.write.total_ios ? j.read.lat : j.write.lat;
  return static_cast<double>(percentile_ns(lat, p)) / 1000.0;
}
double sim_latency_us(const sim::RunResult& r, double p) { return job_latency_us(r.jobs.front(), p); }

// Several jobs (e.g. two cgroups, one limited): IOPS, p50 and p99 of each job, real (its own
// per-I/O log, RealRun::job_figures) vs sim, matched by job name, with the single-job
// tolerances. A job the simulator lacks gets no rows.
void add_per_job(const RealRun& real, const sim::RunResult& sim, std::vector<CompareRow>& rows) {
  for (std::size_t k = 0; k < real.jobs.size() && k < real.job_figures.size(); ++k) {
    const std::string& name = real.jobs[k].result.name;
    const sim::JobResult* sj = nullptr;
    for (const auto& j : sim.jobs) {
      if (j.name == name) sj = &j;
    }
    if (!sj) continue;
    const RealRun::JobFigures& rj = real.job_figures[k];
    rows.push_back(relative("iops " + name, rj.iops, sj->read.iops() + sj->write.iops(), 0.10));
    rows.push_back(relative("p50_us " + name, rj.p50_ns / 1000.0, job_latency_us(*sj, 50.0), 0.15));
    rows.push_back(relative("p99_us " + name, rj.p99_ns / 1000.0, job_latency_us(*sj, 99.0), 0.30));
  }
}

double sim_share(const sim::RunResult& sim, const std::string& controller) {
  double share = 0;
  for (const auto& sp : sim.paths) {
    if (sim.controller(sp) == controller) share += sp.share;
  }
  return share;
}

void add_split(const RealRun& real, const sim::RunResult& sim, std::vector<CompareRow>& rows) {
  for (const auto& p : real.paths) {
    double s = sim_share(sim, p.controller);
    bool pass = std::fabs(s - p.share) * 100.0 <= kSplitTolerancePp;
    rows.push_back({"share " + p.port, p.share * 100.0, s * 100.0, "3pp", pass, "", ""});
  }
}

void add_faults(const RealRun& real, const sim::RunResult& sim, std::vector<CompareRow>& rows) {
  for (std::size_t i = 0; i < real.faults.size() && i < sim.faults.size(); ++i) {
    const RealFault& r = real.faults[i];
    const sim::FaultMeasure& s = sim.faults[i];
    rows.push_back(timing("stall_ms " + r.label, static_cast<double>(r.stall_ms), ms(s.stall), 0.20, 100.0));
    rows.push_back(timing("detect_ms " + r.label, static_cast<double>(r.time_to_detect_ms),
                          ms(detect_as_sampled(s, sim.events, real.samples, r.at_ms)), 0.20, 100.0));
    rows.push_back(timing("recover_ms " + r.label, static_cast<double>(r.time_to_full_throughput_ms),
                          ms(s.time_to_full_throughput), 0.30, 200.0));
    if (!r.timers.empty()) {  // which timer fired, from this fault's start to the next one's
      const sim::Duration to = i + 1 < sim.faults.size() ? sim.faults[i + 1].at : sim::Duration::max();
      const std::string st = sim_timers_between(sim.events, s.at, to);
      rows.push_back({"timer " + r.label, 0, 0, "exact", st == r.timers, r.timers, st});
    }
  }
}

// The largest total latency of the run, every job and direction.
double sim_max_ms(const sim::RunResult& r) {
  std::int64_t max_ns = 0;
  for (const auto& j : r.jobs) max_ns = std::max({max_ns, j.read.lat.max_ns, j.write.lat.max_ns});
  return static_cast<double>(max_ns) / 1e6;
}

std::string join_chosen(const RealRun& real, const std::vector<double>& shares) {
  std::string out;
  for (std::size_t i = 0; i < real.paths.size(); ++i) {
    if (shares[i] >= kChosenShare) out += (out.empty() ? "" : "+") + real.paths[i].port;
  }
  return out.empty() ? "none" : out;
}

}  // namespace

std::string real_path_choice(const RealRun& real) {
  std::vector<double> shares;
  for (const auto& p : real.paths) shares.push_back(p.share);
  return join_chosen(real, shares);
}

std::string sim_path_choice(const RealRun& real, const sim::RunResult& sim) {
  std::vector<double> shares;
  for (const auto& p : real.paths) shares.push_back(sim_share(sim, p.controller));
  return join_chosen(real, shares);
}

std::vector<CompareRow> compare_runs(const RealRun& real, const sim::RunResult& sim) {
  std::vector<CompareRow> rows;
  rows.push_back(relative("iops", real.iops, sim_iops(sim), 0.10));
  if (real.jobs.size() == 1 && sim.jobs.size() == 1) {
    rows.push_back(relative("p50_us", real.p50_ns / 1000.0, sim_latency_us(sim, 50.0), 0.15));
    rows.push_back(relative("p99_us", real.p99_ns / 1000.0, sim_latency_us(sim, 99.0), 0.30));
    rows.push_back(relative("p99.9_us", real.p999_ns / 1000.0, sim_latency_us(sim, 99.9), 0.30));
  }
  // One sample, the run's worst: p99.9's 30 %, and one 200 ms RTO floor for a retransmission tail.
  if (real.max_ns >= 0) rows.push_back(timing("max_ms", static_cast<double>(real.max_ns) / 1e6, sim_max_ms(sim), 0.30, 200.0));
  if (real.jobs.size() > 1) add_per_job(real, sim, rows);
  add_split(real, sim, rows);
  std::string rc = real_path_choice(real), sc = sim_path_choice(real, sim);
  rows.push_back({"path choice", 0, 0, "exact", rc == sc, rc, sc});
  add_faults(real, sim, rows);
  double sim_errors = 0;
  for (const auto& j : sim.jobs) sim_errors += static_cast<double>(j.read.errors + j.write.errors);
  rows.push_back({"errors", static_cast<double>(real.errors), sim_errors, "exact", sim_errors == static_cast<double>(real.errors), "", ""});
  std::vector<CompareRow> phases = conformance_rows(real, sim);
  rows.insert(rows.end(), phases.begin(), phases.end());
  return rows;
}

std::string comparison_json(const std::string& scenario, const std::vector<CompareRow>& rows) {
  experiments::JsonWriter w;
  bool all = true;
  w.begin_object().field("scenario", scenario).key("rows").begin_array();
  for (const auto& r : rows) {
    all = all && r.pass;
    w.begin_object().field("measure", r.measure);
    if (r.real_text.empty()) {
      w.field("real", r.real).field("sim", r.sim);
    } else {
      w.field("real", r.real_text).field("sim", r.sim_text);
    }
    if (r.repetitions > 1) {  // merged over repetitions (validate/bands.h): real is the median
      w.field("repetitions", r.repetitions);
      if (r.real_text.empty()) w.field("real_min", r.real_min).field("real_max", r.real_max);
    }
    w.field("tolerance", r.tolerance).field("pass", r.pass).end_object();
  }
  w.end_array().field("pass", all).end_object();
  return w.str();
}

}  // namespace mpsim::validate
