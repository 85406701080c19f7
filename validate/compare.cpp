#include "validate/compare.h"

#include <cmath>

#include "experiments/json_writer.h"

namespace mpsim::validate {
namespace {

CompareRow relative(const std::string& measure, double real, double sim, double fraction) {
  bool pass = real > 0 && std::fabs(sim - real) <= fraction * real;
  return {measure, real, sim, std::to_string(static_cast<int>(std::lround(fraction * 100))) + "%", pass};
}

double sim_iops(const sim::RunResult& r) {
  double sum = 0;
  for (const auto& j : r.jobs) sum += j.read.iops() + j.write.iops();
  return sum;
}

// One job's total latency percentile in us (the guest measures total latency per I/O).
double sim_latency_us(const sim::RunResult& r, double p) {
  const auto& j = r.jobs.front();
  const auto& lat = j.read.total_ios >= j.write.total_ios ? j.read.lat : j.write.lat;
  return static_cast<double>(percentile_ns(lat, p)) / 1000.0;
}

void add_split(const RealRun& real, const sim::RunResult& sim, std::vector<CompareRow>& rows) {
  for (const auto& p : real.paths) {
    double sim_share = 0;
    for (const auto& sp : sim.paths) {
      if (sp.controller == p.controller) sim_share += sp.share;
    }
    bool pass = std::fabs(sim_share - p.share) * 100.0 <= 3.0;
    rows.push_back({"share " + p.controller, p.share * 100.0, sim_share * 100.0, "3pp", pass});
  }
}

void add_stalls(const RealRun& real, const sim::RunResult& sim, std::vector<CompareRow>& rows) {
  for (std::size_t i = 0; i < real.faults.size() && i < sim.faults.size(); ++i) {
    double r = static_cast<double>(real.faults[i].stall_ms);
    double s = std::chrono::duration<double, std::milli>(sim.faults[i].stall).count();
    bool pass = std::fabs(s - r) <= std::max(0.2 * r, 100.0);
    rows.push_back({"stall_ms " + real.faults[i].label, r, s, "20% or 100ms", pass});
  }
}

}  // namespace

std::vector<CompareRow> compare_runs(const RealRun& real, const sim::RunResult& sim) {
  std::vector<CompareRow> rows;
  rows.push_back(relative("iops", real.iops, sim_iops(sim), 0.10));
  if (real.jobs.size() == 1 && sim.jobs.size() == 1) {
    rows.push_back(relative("p50_us", real.p50_ns / 1000.0, sim_latency_us(sim, 50.0), 0.15));
    rows.push_back(relative("p99_us", real.p99_ns / 1000.0, sim_latency_us(sim, 99.0), 0.30));
  }
  add_split(real, sim, rows);
  add_stalls(real, sim, rows);
  double sim_errors = 0;
  for (const auto& j : sim.jobs) sim_errors += static_cast<double>(j.read.errors + j.write.errors);
  rows.push_back({"errors", static_cast<double>(real.errors), sim_errors, "exact", sim_errors == static_cast<double>(real.errors)});
  return rows;
}

std::string comparison_json(const std::string& scenario, const std::vector<CompareRow>& rows) {
  experiments::JsonWriter w;
  bool all = true;
  w.begin_object().field("scenario", scenario).key("rows").begin_array();
  for (const auto& r : rows) {
    all = all && r.pass;
    w.begin_object().field("measure", r.measure).field("real", r.real).field("sim", r.sim);
    w.field("tolerance", r.tolerance).field("pass", r.pass).end_object();
  }
  w.end_array().field("pass", all).end_object();
  return w.str();
}

}  // namespace mpsim::validate
