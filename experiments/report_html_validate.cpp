// report.html for a validate results directory (`mpsim validate --results DIR`): each
// scenario's DIR/<scenario>/validation.json, the rows of real kernel against simulator. Rows may
// carry a band over repeated runs (min/max); the page draws it when present, the single values
// otherwise.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include "experiments/report_html_input.h"

namespace mpsim::experiments::report_input {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A band [low, high] for `side` ("real" or "sim") in any of the shapes a repeated run may write:
// side_min/side_max, side_range or side_band as [low, high] or {min, max}, or side_runs (values).
json band_of(const json& row, const std::string& side) {
  auto pair = [](const json& lo, const json& hi) {
    return lo.is_number() && hi.is_number() ? json::array({lo, hi}) : json(nullptr);
  };
  if (row.contains(side + "_min") && row.contains(side + "_max")) return pair(row[side + "_min"], row[side + "_max"]);
  for (const std::string& key : {side + "_range", side + "_band"}) {
    if (!row.contains(key)) continue;
    const json& b = row[key];
    if (b.is_array() && b.size() == 2) return pair(b[0], b[1]);
    if (b.is_object() && b.contains("min") && b.contains("max")) return pair(b["min"], b["max"]);
  }
  if (row.contains(side + "_runs") && row[side + "_runs"].is_array()) {
    std::vector<double> v;
    for (const json& x : row[side + "_runs"]) if (x.is_number()) v.push_back(x.get<double>());
    if (!v.empty()) return json::array({*std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end())});
  }
  return nullptr;
}

// The chart a row belongs to ("iops", "share", "stall_ms", ...), or "" for rows shown in the
// table only: text measures (path choice) and the per-phase rows after each state change.
std::string chart_of(const json& row) {
  const std::string measure = row["measure"].get<std::string>();
  if (!row["real"].is_number() || !row["sim"].is_number()) return "";
  if (measure.find(" after ") != std::string::npos || measure.find(" before ") != std::string::npos) return "";
  return measure.substr(0, measure.find(' '));
}

// The guest's iopolicy from the scenario's plan.txt ("iopolicy queue-depth"), "" without one.
std::string plan_policy(const fs::path& plan) {
  std::ifstream in(plan);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("iopolicy ", 0) == 0) return line.substr(9);
  }
  return "";
}

json read_scenario(const fs::path& file) {
  json v = read_json(file);
  json out = {{"name", field(v, "/scenario", Kind::String, file)}, {"pass", field(v, "/pass", Kind::Bool, file)},
              {"dir", file.parent_path().filename().string()}, {"rows", json::array()}};
  if (v.contains("policy") && v["policy"].is_string()) out["policy"] = v["policy"];
  else if (std::string policy = plan_policy(file.parent_path() / "plan.txt"); !policy.empty()) out["policy"] = policy;
  const json& rows = field(v, "/rows", Kind::Array, file);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::string at = "/rows/" + std::to_string(i);
    field(v, at + "/measure", Kind::String, file);
    field(v, at + "/tolerance", Kind::String, file);
    field(v, at + "/pass", Kind::Bool, file);
    for (const char* side : {"/real", "/sim"}) field(v, at + side, Kind::NumberOrString, file);
    const json& row = rows[i];
    out["rows"].push_back({{"measure", row["measure"]}, {"real", row["real"]}, {"sim", row["sim"]},
                           {"tolerance", row["tolerance"]}, {"pass", row["pass"]}, {"chart", chart_of(row)},
                           {"real_band", band_of(row, "real")}, {"sim_band", band_of(row, "sim")}});
  }
  return out;
}

}  // namespace

json validate_view_data(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    if (e.is_directory() && fs::exists(e.path() / "validation.json")) files.push_back(e.path() / "validation.json");
  }
  std::sort(files.begin(), files.end());
  json data = {{"view", "validate"}, {"experiment", "validate"}, {"source", dir.string()}, {"scenarios", json::array()}};
  for (const fs::path& f : files) data["scenarios"].push_back(read_scenario(f));
  return data;
}

}  // namespace mpsim::experiments::report_input
