// report.html: recognises the results directory (a run, a sweep, a sizing search or a validate
// run), checks it is one this version wrote, and fills the embedded page with the data as JSON.
// The page (report_html/page.html and the view's part, run/sweep/validate.html) draws it.
#include "experiments/report_html.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "experiments/report_html_input.h"
#include "topologies/file_io.h"

namespace mpsim::experiments {
namespace report_assets {
extern const std::string_view k_page;
extern const std::string_view k_run;
extern const std::string_view k_sweep;
extern const std::string_view k_validate;
extern const std::string_view kDygraphsJs;
extern const std::string_view kDygraphsCss;
}  // namespace report_assets

namespace report_input {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Policy labels in the order they ran: comparison.json's order, else every DIR/<label>/summary.json.
std::vector<std::string> run_labels(const fs::path& dir) {
  std::vector<std::string> labels;
  fs::path comparison = dir / "comparison.json";
  if (fs::exists(comparison)) {
    json c = read_json(comparison);
    const json& runs = field(c, "/runs", Kind::Array, comparison);
    for (std::size_t i = 0; i < runs.size(); ++i) {
      std::string at = "/runs/" + std::to_string(i) + "/label";
      labels.push_back(field(c, at, Kind::String, comparison).get<std::string>());
    }
  } else {
    for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
      if (e.is_directory() && fs::exists(e.path() / "summary.json")) labels.push_back(e.path().filename().string());
    }
    std::sort(labels.begin(), labels.end());
  }
  return labels;
}

json run_data(const fs::path& dir, const std::string& label) {
  fs::path run_dir = dir / label;
  json run;
  run["label"] = label;
  run["summary"] = read_summary(run_dir / "summary.json");
  run["policy"] = run["summary"]["policy"];
  run["clat"] = read_fio_clat(run_dir / "fio.json");
  run["timeline"] = read_timeline(run_dir / "timeline.csv");
  run["events"] = read_events(run_dir / "events.csv");
  return run;
}

bool any_child_with(const fs::path& dir, const char* file) {
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    if (e.is_directory(ec) && fs::exists(e.path() / file, ec)) return true;
  }
  return false;
}

// A sizing directory holds only v-VALUE probe directories, each a one-point sweep.
bool is_sizing_dir(const fs::path& dir) {
  std::error_code ec;
  bool any = false;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name == "report.html") continue;
    if (name.rfind("v-", 0) != 0 || !fs::exists(e.path() / "plan.json", ec)) return false;
    any = true;
  }
  return any;
}

}  // namespace

ResultsKind results_kind(const fs::path& dir) {
  if (!fs::is_directory(dir)) {
    throw ReportInputError(dir.string() + ": no such directory (give the --out directory of `mpsim run`, "
                           "`mpsim sweep` or `mpsim size`, or the --results directory of `mpsim validate`)");
  }
  if (fs::exists(dir / "plan.json")) return ResultsKind::Sweep;
  if (!run_labels(dir).empty()) return ResultsKind::Run;
  if (any_child_with(dir, "validation.json")) return ResultsKind::Validate;
  if (is_sizing_dir(dir)) return ResultsKind::Sizing;
  throw ReportInputError(dir.string() + ": not an mpsim result directory (no comparison.json or "
                         "<policy>/summary.json of `mpsim run`, no plan.json of `mpsim sweep`, no v-VALUE "
                         "probes of `mpsim size`, no <scenario>/validation.json of `mpsim validate`)");
}

json run_view_data(const fs::path& dir) {
  json data;
  data["view"] = "run";
  data["runs"] = json::array();
  for (const std::string& label : run_labels(dir)) data["runs"].push_back(run_data(dir, label));
  data["experiment"] = data["runs"][0]["summary"]["experiment"];
  data["source"] = data["runs"][0]["summary"]["source"];
  return data;
}

}  // namespace report_input

namespace {

// JSON inside <script>: a '<' could close the element or open a comment, so it is escaped.
std::string script_safe(const std::string& json_text) {
  std::string out;
  out.reserve(json_text.size());
  for (char c : json_text) {
    if (c == '<') out += "\\u003c";
    else out += c;
  }
  return out;
}

void replace_once(std::string& text, std::string_view marker, std::string_view with) {
  std::size_t at = text.find(marker);
  if (at == std::string::npos) throw std::logic_error("report page lacks " + std::string(marker));
  text.replace(at, marker.size(), with);
}

}  // namespace

std::string report_html(const std::string& results_dir) {
  namespace ri = report_input;
  const std::filesystem::path dir(results_dir);
  nlohmann::json data;
  std::string_view view;
  switch (ri::results_kind(dir)) {
    case ri::ResultsKind::Run: data = ri::run_view_data(dir), view = report_assets::k_run; break;
    case ri::ResultsKind::Sweep: data = ri::sweep_view_data(dir), view = report_assets::k_sweep; break;
    case ri::ResultsKind::Sizing: data = ri::sizing_view_data(dir), view = report_assets::k_sweep; break;
    case ri::ResultsKind::Validate: data = ri::validate_view_data(dir), view = report_assets::k_validate; break;
  }
  data["mpsim_version"] = MPSIM_VERSION;

  // The view goes in first: the data (user text) must not be searched for markers.
  std::string page(report_assets::k_page);
  replace_once(page, "/*MPSIM_VIEW*/", view);
  replace_once(page, "/*MPSIM_DYGRAPHS_CSS*/", report_assets::kDygraphsCss);
  replace_once(page, "/*MPSIM_DYGRAPHS_JS*/", report_assets::kDygraphsJs);
  replace_once(page, "/*MPSIM_DATA*/", script_safe(data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
  return page;
}

std::string write_report_html(const std::string& results_dir) {
  std::string page = report_html(results_dir);
  std::filesystem::path target = std::filesystem::path(results_dir) / "report.html";
  topology::write_file_atomic(target, page);  // whole or not at all (FileError is a runtime_error)
  return target.string();
}

}  // namespace mpsim::experiments
