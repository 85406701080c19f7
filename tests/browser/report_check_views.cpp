#include "report_check_views.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace report_check {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Point {
  std::vector<std::string> values;           // per axis
  std::map<std::string, std::set<std::string>> figures;  // policy -> figure names with a value
};

struct Sweep {
  std::vector<std::string> paths;
  std::vector<std::vector<std::string>> axis_values;
  std::vector<Point> points;
  std::vector<std::string> figure_order;  // as the runs list them
  std::vector<std::string> policies;      // first appearance
};

void add_unique(std::vector<std::string>& list, const std::string& v) {
  if (std::find(list.begin(), list.end(), v) == list.end()) list.push_back(v);
}

// The figures of one run that have a value: the jobs' (when there are jobs and, for latency, I/O
// pooled over the run), then per fault stall, detect and recover (when they happened), p99 during.
std::vector<std::string> run_figures(const json& run) {
  std::vector<std::string> out;
  if (!run["jobs"].empty()) {
    out.push_back("IOPS");
    bool pooled = false;
    for (const json& p : run["pooled"]) pooled |= p["scope"] == "run" && p["key"] == "" && p["ios"].get<long>() > 0;
    if (pooled) out.insert(out.end(), {"p50 µs", "p99 µs", "p99.9 µs"});
    out.push_back("errors");
  }
  for (std::size_t i = 0; i < run["faults"].size(); ++i) {
    const json& f = run["faults"][i];
    const std::string tag = " · fault " + std::to_string(i);
    if (f["stall_ns"].get<long>() >= 0) out.push_back("stall ms" + tag);
    if (f["detect_ns"].get<long>() >= 0) out.push_back("detect ms" + tag);
    if (f["recover_ns"].get<long>() >= 0) out.push_back("recover ms" + tag);
    out.push_back("p99 during µs" + tag);
  }
  return out;
}

void add_points(Sweep& s, const json& sweep) {
  for (const json& p : sweep["points"]) {
    Point point;
    for (const std::string& path : s.paths) point.values.push_back(p["values"][path]);
    for (const json& run : p["runs"]) {
      const std::string policy = run["policy"];
      add_unique(s.policies, policy);
      for (const std::string& f : run_figures(run)) {
        point.figures[policy].insert(f);
        add_unique(s.figure_order, f);
      }
    }
    s.points.push_back(point);
  }
}

Sweep read_sweep(const fs::path& dir) {
  Sweep s;
  if (fs::exists(dir / "sweep.json")) {
    json sweep = json::parse(slurp(dir / "sweep.json"));
    for (const json& a : sweep["axes"]) {
      s.paths.push_back(a["path"]);
      s.axis_values.push_back(a["values"].get<std::vector<std::string>>());
    }
    add_points(s, sweep);
    return s;
  }
  std::vector<fs::path> probes;  // sizing: one one-point sweep per value, in value order
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) if (e.is_directory()) probes.push_back(e.path());
  std::sort(probes.begin(), probes.end(), [](const fs::path& a, const fs::path& b) {
    return std::stod(a.filename().string().substr(2)) < std::stod(b.filename().string().substr(2));
  });
  s.axis_values.emplace_back();
  for (const fs::path& p : probes) {
    json one = json::parse(slurp(p / "sweep.json"));
    if (s.paths.empty()) s.paths.push_back(one["axes"][0]["path"]);
    s.axis_values[0].push_back(one["points"][0]["values"][s.paths[0]]);
    add_points(s, one);
  }
  return s;
}

}  // namespace

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Charts expected_sweep_charts(const fs::path& dir) {
  const Sweep s = read_sweep(dir);
  std::vector<std::size_t> x_axes;
  for (std::size_t a = 0; a < s.paths.size(); ++a) if (s.paths[a] != "policy") x_axes.push_back(a);
  Charts charts;
  // Lines: per figure and x axis, a series per policy and values of the other x axes; a point per x value.
  for (std::size_t f = 0; f < s.figure_order.size(); ++f) {
    for (std::size_t a : x_axes) {
      std::map<std::string, std::set<std::string>> xs;
      for (const Point& p : s.points) {
        for (const auto& [policy, figures] : p.figures) {
          if (!figures.count(s.figure_order[f])) continue;
          std::string key = policy;
          for (std::size_t b : x_axes) if (b != a) key += " · " + s.paths[b] + "=" + p.values[b];
          xs[key].insert(p.values[a]);
        }
      }
      Counts& c = charts["fig-" + std::to_string(f) + "-" + std::to_string(a)];
      for (const auto& [key, values] : xs) c[key] = static_cast<long>(values.size());
    }
  }
  if (x_axes.size() < 2) return charts;
  // Heatmaps over the first two x axes: per figure, slice (values of the other x axes), policy;
  // a series per value of the second axis, a point per cell with a value.
  const std::size_t ax = x_axes[0], ay = x_axes[1];
  std::vector<std::string> slices, wanted;
  for (const Point& p : s.points) {
    std::string slice;
    for (std::size_t k = 2; k < x_axes.size(); ++k) slice += s.paths[x_axes[k]] + "=" + p.values[x_axes[k]] + ";";
    add_unique(slices, slice);
  }
  for (const char* name : {"IOPS", "p99 µs", "stall ms · fault 0"}) {
    if (std::count(s.figure_order.begin(), s.figure_order.end(), name)) wanted.push_back(name);
  }
  for (std::size_t f = 0; f < wanted.size(); ++f) {
    for (std::size_t sl = 0; sl < slices.size(); ++sl) {
      for (std::size_t k = 0; k < s.policies.size(); ++k) {
        Counts& c = charts["heat-" + std::to_string(f) + "-" + std::to_string(sl) + "-" + std::to_string(k)];
        for (const std::string& y : s.axis_values[ay]) c[s.paths[ay] + "=" + y] = 0;
        for (const Point& p : s.points) {
          std::string slice;
          for (std::size_t q = 2; q < x_axes.size(); ++q) slice += s.paths[x_axes[q]] + "=" + p.values[x_axes[q]] + ";";
          auto it = p.figures.find(s.policies[k]);
          if (slice == slices[sl] && it != p.figures.end() && it->second.count(wanted[f])) {
            ++c[s.paths[ay] + "=" + p.values[ay]];
          }
        }
        (void)ax;
      }
    }
  }
  return charts;
}

Charts expected_validate_charts(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    if (e.is_directory() && fs::exists(e.path() / "validation.json")) files.push_back(e.path() / "validation.json");
  }
  Charts charts;
  for (const fs::path& file : files) {
    const json validation = json::parse(slurp(file));  // kept alive: the loop walks into it
    for (const json& row : validation["rows"]) {
      const std::string measure = row["measure"];
      if (!row["real"].is_number() || !row["sim"].is_number()) continue;  // path choice: table only
      if (measure.find(" after ") != std::string::npos || measure.find(" before ") != std::string::npos) continue;
      Counts& c = charts["measure-" + measure.substr(0, measure.find(' '))];
      c["real"] += row["real"].get<double>() >= 0;  // -1: never happened, not drawn
      c["sim"] += row["sim"].get<double>() >= 0;
    }
  }
  return charts;
}

}  // namespace report_check
