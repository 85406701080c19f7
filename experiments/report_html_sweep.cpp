// report.html for a sweep directory (`mpsim sweep --out DIR`) and a sizing directory (`mpsim size
// --out DIR`, one one-point sweep per probed value): per point and policy the figures the page
// plots against the axes, the SLO results, and for sizing the boundary the probes show.
#include <algorithm>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>

#include "experiments/report_html_input.h"
#include "experiments/sweep.h"
#include "experiments/sweep_files.h"
#include "experiments/sweep_metrics.h"

namespace mpsim::experiments::report_input {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A key as a JSON pointer token ("~" -> "~0", "/" -> "~1"; RFC 6901).
std::string pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) out += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
  return out;
}

json ms_or_null(std::int64_t ns) { return ns < 0 ? json(nullptr) : json(double(ns) / 1e6); }

// The figures of one policy's run at one point, in the order the page lays out its rows of
// charts: the jobs together (IOPS summed, latency of every I/O pooled), then each fault.
json run_figures(const RunMetrics& m) {
  json f = json::array();
  auto add = [&f](const std::string& name, json value) { f.push_back({name, std::move(value)}); };
  double iops = 0;
  std::uint64_t errors = 0;
  for (const JobMetrics& j : m.jobs) iops += j.iops(), errors += j.errors;
  const PooledMetrics* all = find_pooled(m, "run", "");
  auto us = [all](std::int64_t PooledMetrics::*field) {
    return all && all->ios ? json(double((*all).*field) / 1e3) : json(nullptr);
  };
  add("IOPS", m.jobs.empty() ? json(nullptr) : json(iops));
  add("p50 µs", us(&PooledMetrics::p50_ns));
  add("p99 µs", us(&PooledMetrics::p99_ns));
  add("p99.9 µs", us(&PooledMetrics::p999_ns));
  add("errors", m.jobs.empty() ? json(nullptr) : json(errors));
  for (std::size_t i = 0; i < m.faults.size(); ++i) {
    const FaultMetrics& x = m.faults[i];
    const std::string tag = " · fault " + std::to_string(i);
    add("stall ms" + tag, ms_or_null(x.stall_ns));
    add("detect ms" + tag, ms_or_null(x.detect_ns));
    add("recover ms" + tag, ms_or_null(x.recover_ns));
    add("p99 during µs" + tag, double(x.p99_during_ns) / 1e3);
  }
  return f;
}

// One sweep directory: its axes and points (values in axis order, figures per policy, SLOs).
json read_sweep(const fs::path& dir) {
  const fs::path plan_file = dir / "plan.json", sweep_file = dir / "sweep.json";
  json plan = read_json(plan_file);
  const std::size_t total = field(plan, "/point_count", Kind::Number, plan_file).get<std::size_t>();
  for (std::size_t i = 0; i < total; ++i) {
    if (!point_finished(dir.string(), i)) {
      throw ReportInputError(point_file(dir.string(), i, ".result.json") +
                             ": missing, or written by another mpsim version or for another point file: run the "
                             "sweep again (finished points are kept), then `mpsim report " + dir.string() + "`");
    }
  }
  if (!fs::exists(sweep_file)) {
    throw ReportInputError(sweep_file.string() + ": missing: collect the points first (mpsim sweep --collect " +
                           dir.string() + ")");
  }
  json sweep = read_json(sweep_file);
  json out = {{"experiment", field(sweep, "/experiment", Kind::String, sweep_file)}, {"axes", json::array()},
              {"points", json::array()}};
  std::vector<std::string> paths;
  const json& axes = field(sweep, "/axes", Kind::Array, sweep_file);
  for (std::size_t a = 0; a < axes.size(); ++a) {
    const std::string at = "/axes/" + std::to_string(a);
    paths.push_back(field(sweep, at + "/path", Kind::String, sweep_file).get<std::string>());
    out["axes"].push_back({{"path", paths.back()}, {"values", field(sweep, at + "/values", Kind::Array, sweep_file)}});
  }
  const json& points = field(sweep, "/points", Kind::Array, sweep_file);
  if (points.size() != total) {
    throw ReportInputError(sweep_file.string() + ": " + std::to_string(points.size()) + " points, plan.json has " +
                           std::to_string(total) + ": collect again (mpsim sweep --collect " + dir.string() + ")");
  }
  for (std::size_t i = 0; i < points.size(); ++i) {
    const std::string at = "/points/" + std::to_string(i);
    json point = {{"index", i}, {"values", json::array()}, {"runs", json::array()},
                  {"failed", field(sweep, at + "/failed", Kind::Bool, sweep_file)}};
    for (const std::string& p : paths) {
      point["values"].push_back(field(sweep, at + "/values/" + pointer_token(p), Kind::String, sweep_file));
    }
    point["reason"] = field(sweep, at + "/reason", Kind::String, sweep_file);
    const json& runs = field(sweep, at + "/runs", Kind::Array, sweep_file);
    for (std::size_t r = 0; r < runs.size(); ++r) {
      try {
        RunMetrics m = run_metrics_from_json(runs[r]);
        json labels = json::array();
        for (const FaultMetrics& f : m.faults) labels.push_back(f.label);
        point["runs"].push_back({{"policy", m.policy}, {"figures", run_figures(m)}, {"fault_labels", labels}});
      } catch (const json::exception& e) {
        throw ReportInputError(sweep_file.string() + ": field " + at + "/runs/" + std::to_string(r) + ": " + e.what() +
                               " (written by another mpsim version?)");
      }
    }
    point["slo"] = json::array();
    const json& slos = field(sweep, at + "/slo", Kind::Array, sweep_file);
    for (std::size_t s = 0; s < slos.size(); ++s) {
      const std::string sat = at + "/slo/" + std::to_string(s);
      json slo;
      for (const char* key : {"name", "policy", "subject", "measured", "threshold"}) {
        slo[key] = field(sweep, sat + "/" + key, Kind::String, sweep_file);
      }
      slo["passed"] = field(sweep, sat + "/passed", Kind::Bool, sweep_file);
      point["slo"].push_back(slo);
    }
    out["points"].push_back(point);
  }
  return out;
}

}  // namespace

json sweep_view_data(const fs::path& dir) {
  json data = read_sweep(dir);
  data["view"] = "sweep";
  data["source"] = dir.string();
  return data;
}

json sizing_view_data(const fs::path& dir) {
  // Each probe directory is a one-point sweep over the sized axis; their points become one axis.
  std::map<double, json> probes;  // by value
  std::string path, experiment;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    if (!e.is_directory()) continue;  // report.html
    json one = read_sweep(e.path());
    const fs::path file = e.path() / "sweep.json";
    if (one["axes"].size() != 1 || one["points"].size() != 1) {
      throw ReportInputError(file.string() + ": a sizing probe is a one-point sweep over one axis");
    }
    const std::string p = one["axes"][0]["path"].get<std::string>();
    if (!path.empty() && p != path) {
      throw ReportInputError(file.string() + ": probes axis " + p + ", the other probes " + path +
                             ": one sizing directory per axis");
    }
    path = p;
    experiment = one["experiment"].get<std::string>();
    json point = one["points"][0];
    const std::string text = point["values"][0].get<std::string>();
    double value = 0;
    try {
      value = std::stod(text);
    } catch (const std::exception&) {
      throw ReportInputError(file.string() + ": probed value \"" + text + "\" is not a number");
    }
    bool passed = !point["failed"].get<bool>();
    for (const json& s : point["slo"]) passed = passed && s["passed"].get<bool>();
    point["passed"] = passed;
    probes[value] = point;
  }
  json data = {{"view", "sweep"}, {"experiment", experiment}, {"source", dir.string()}, {"points", json::array()}};
  json values = json::array();
  std::optional<double> smallest_failing, largest_passing;
  for (const auto& [v, p] : probes) {
    if (!p["passed"].get<bool>() && !smallest_failing) smallest_failing = v;
  }
  std::vector<std::string> non_monotone;
  for (auto& [v, p] : probes) {
    if (p["passed"].get<bool>() && (!smallest_failing || v < *smallest_failing)) largest_passing = v;
    if (p["passed"].get<bool>() && smallest_failing && v > *smallest_failing) {
      non_monotone.push_back("passes at " + p["values"][0].get<std::string>() + " above a failure");
    }
    p["index"] = data["points"].size();
    values.push_back(p["values"][0]);
    data["points"].push_back(p);
  }
  data["axes"] = json::array({{{"path", path}, {"values", values}}});
  data["sizing"] = {{"path", path},
                    {"largest_passing", largest_passing ? json(*largest_passing) : json(nullptr)},
                    {"smallest_failing", smallest_failing ? json(*smallest_failing) : json(nullptr)},
                    {"non_monotone", non_monotone}};
  return data;
}

}  // namespace mpsim::experiments::report_input
