// Planning a sweep: axes -> points -> one resolved experiment file per point, each checked by
// the loader before anything is written.
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "experiments/experiment_loader.h"
#include "experiments/sweep.h"
#include "experiments/sweep_files.h"

namespace mpsim::experiments {
namespace {

namespace fs = std::filesystem;
using experiment::Experiment;
using Values = std::vector<std::pair<std::string, std::string>>;

std::vector<SweepAxis> merged_axes(const Experiment& exp, const std::vector<SweepAxis>& cli) {
  std::vector<SweepAxis> axes;
  for (const experiment::Axis& a : exp.sweep().axis()) axes.push_back({a.path(), {a.values().begin(), a.values().end()}});
  for (const SweepAxis& c : cli) {
    bool replaced = false;
    for (SweepAxis& a : axes) {
      if (a.path == c.path) a = c, replaced = true;
    }
    if (!replaced) axes.push_back(c);
  }
  for (const SweepAxis& a : axes) {
    if (a.path.empty()) throw std::invalid_argument("sweep axis: path is required");
    if (a.values.empty()) throw std::invalid_argument("sweep axis " + a.path + ": no values (an empty axis has no points)");
  }
  return axes;
}

std::vector<Values> combine(const std::vector<SweepAxis>& axes, bool zip) {
  std::vector<Values> points{{}};
  if (zip && !axes.empty()) {
    std::size_t n = axes.front().values.size();
    for (const SweepAxis& a : axes) {
      if (a.values.size() != n)
        throw std::invalid_argument("zip sweep: axis " + a.path + " has " + std::to_string(a.values.size()) +
                                    " values, axis " + axes.front().path + " has " + std::to_string(n) + "; all must have as many");
    }
    points.assign(n, {});
    for (std::size_t i = 0; i < n; ++i)
      for (const SweepAxis& a : axes) points[i].emplace_back(a.path, a.values[i]);
    return points;
  }
  for (const SweepAxis& a : axes) {  // the last axis varies fastest
    std::vector<Values> next;
    for (const Values& p : points) {
      for (const std::string& v : a.values) {
        Values q = p;
        q.emplace_back(a.path, v);
        next.push_back(std::move(q));
      }
    }
    points = std::move(next);
  }
  return points;
}

// policy=NAME or NAME(k=v,...): the point runs that one policy.
void set_policy(Experiment& exp, const std::string& text) {
  exp.clear_compare();
  experiment::Policy* p = exp.mutable_policy();
  p->Clear();
  std::size_t open = text.find('(');
  p->set_name(text.substr(0, open));
  if (open == std::string::npos) return;
  if (text.back() != ')') throw std::invalid_argument("policy axis value \"" + text + "\": expected NAME(k=v,...)");
  std::string params = text.substr(open + 1, text.size() - open - 2);
  std::size_t start = 0;
  while (start < params.size()) {
    std::size_t comma = params.find(',', start);
    std::string kv = params.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    std::size_t eq = kv.find('=');
    if (eq == std::string::npos) throw std::invalid_argument("policy axis value \"" + text + "\": parameter \"" + kv + "\" is not k=v");
    (*p->mutable_params())[kv.substr(0, eq)] = kv.substr(eq + 1);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
}

std::string point_text(const Experiment& point, const SweepPoint& sp, const std::string& source) {
  std::string header = "# mpsim sweep point " + std::to_string(sp.index) + " of " + source + "\n";
  for (const auto& [path, value] : sp.values) header += "#   " + path + " = " + value + "\n";
  header += "# Rerun alone with: mpsim run THIS_FILE\n";
  std::string body;
  google::protobuf::TextFormat::PrintToString(point, &body);
  return header + body;
}

}  // namespace

SweepAxis parse_axis(const std::string& text) {
  Override o = parse_override(text);
  SweepAxis axis{o.path, {}};
  int depth = 0;
  std::string current;
  for (char c : o.value) {
    if (c == '[' || c == '{' || c == '(') ++depth;
    if (c == ']' || c == '}' || c == ')') --depth;
    if (c == ',' && depth == 0) {
      axis.values.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty() || !axis.values.empty()) axis.values.push_back(current);
  if (axis.values.empty()) throw std::invalid_argument("--axis " + text + ": no values (give PATH=v1,v2,...)");
  for (const std::string& v : axis.values)
    if (v.empty()) throw std::invalid_argument("--axis " + text + ": an empty value");
  return axis;
}

std::uint64_t point_seed(std::uint64_t experiment_seed, const Values& values) {
  std::string key = std::to_string(experiment_seed);
  std::vector<std::string> parts;
  for (const auto& [path, value] : values) {
    if (path != "policy") parts.push_back(path + "=" + value);  // policies compare on equal seeds
  }
  std::sort(parts.begin(), parts.end());
  for (const std::string& p : parts) key += "\n" + p;
  if (parts.empty()) return experiment_seed;  // a sweep without axes reruns the experiment itself
  return fnv1a(key) & 0x7fffffffffffffffull;
}

// Absent, empty, or a sweep directory: one with plan.json (other files of the user's may sit
// beside it, e.g. --junit DIR/junit.xml), or only what planning writes before plan.json.
void check_sweep_dir(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  if (!fs::is_directory(dir, ec)) throw std::invalid_argument(dir + ": exists and is not a directory: give another --out");
  if (fs::is_regular_file(fs::path(dir) / "plan.json", ec)) return;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name == "points" && e.is_directory()) continue;
    throw std::invalid_argument(dir + ": not empty and not a sweep directory (no plan.json; it holds " + name +
                                "): give an empty or new --out directory; mpsim resumes only a sweep directory of its own");
  }
}

std::size_t plan_sweep(const SweepRequest& req, const std::string& dir) {
  check_sweep_dir(dir);
  Experiment exp;
  topology::parse_textproto_file(req.experiment_file, exp);
  std::string base_dir = fs::path(req.experiment_file).parent_path().string();
  std::vector<SweepAxis> axes = merged_axes(exp, req.cli_axes);
  std::string mode = req.mode.empty() ? (exp.sweep().mode() == experiment::Sweep::ZIP ? "zip" : "grid") : req.mode;
  if (mode != "grid" && mode != "zip") throw std::invalid_argument("--mode " + mode + ": grid or zip");
  std::vector<Values> combos = combine(axes, mode == "zip");
  std::vector<Override> overrides = parse_overrides(req.overrides);
  std::vector<experiment::Slo> cli_slos;
  for (const std::string& s : req.slos) cli_slos.push_back(parse_slo(s));

  std::vector<std::string> texts;
  nlohmann::json plan = {{"experiment", exp.name()}, {"source", req.experiment_file}, {"mode", mode},
                         {"point_count", combos.size()}, {"axes", nlohmann::json::array()},
                         {"points", nlohmann::json::array()}};
  for (const SweepAxis& a : axes) plan["axes"].push_back({{"path", a.path}, {"values", a.values}});
  for (std::size_t i = 0; i < combos.size(); ++i) {
    SweepPoint sp{i, combos[i], point_seed(exp.seed(), combos[i])};
    Experiment point = exp;
    point.clear_sweep();
    inline_topology_file(point, base_dir);
    inline_jobs_file(point, base_dir);  // a point file is read from another directory
    std::string where = "point " + std::to_string(i);
    for (const auto& [path, value] : sp.values) where += " " + path + "=" + value;
    try {
      apply_overrides(point, overrides, base_dir);
      std::vector<Override> axis_overrides;
      for (const auto& [path, value] : sp.values) {
        if (path == "policy") set_policy(point, value);
        else axis_overrides.push_back({path, value});
      }
      apply_overrides(point, axis_overrides, base_dir);
      bool seed_axis = std::any_of(sp.values.begin(), sp.values.end(), [](const auto& v) { return v.first == "seed"; });
      if (seed_axis) sp.seed = point.seed();  // a seed axis states the seeds itself
      else if (exp.has_seed()) point.set_seed(sp.seed);
      for (const experiment::Slo& s : cli_slos) *point.add_slo() = s;
      Experiment check = point;
      LoadedExperiment loaded = load_experiment_message(check, topology::SourceMap(where), base_dir);
      check_slos({point.slo().begin(), point.slo().end()}, loaded);
    } catch (const topology::InputError& e) {
      std::string all;
      for (const std::string& p : e.problems())  // the loader's problems already begin with `where`
        all += (all.empty() ? "" : "\n") + (p.rfind(where, 0) == 0 ? p : where + ": " + p);
      throw std::invalid_argument(all);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(where + ": " + e.what());
    }
    texts.push_back(point_text(point, sp, req.experiment_file));
    nlohmann::json values = nlohmann::json::object();
    for (const auto& [path, value] : sp.values) values[path] = value;
    plan["points"].push_back({{"index", i}, {"file", "points/" + point_name(i) + ".textproto"}, {"seed", sp.seed},
                              {"values", values}});
  }
  fs::create_directories(fs::path(dir) / "points");
  for (std::size_t i = 0; i < texts.size(); ++i) {
    std::string path = point_file(dir, i, ".textproto");
    if (read_text(path) != texts[i]) write_atomically(path, texts[i]);  // unchanged points keep their results
  }
  write_atomically((fs::path(dir) / "plan.json").string(), json_text(plan, 2));
  return combos.size();
}

}  // namespace mpsim::experiments
