// report.html: reads an `mpsim run --out` directory, checks it is one this version wrote, and
// fills the embedded template with the data as JSON. The page (report_html/template.html) draws it.
#include "experiments/report_html.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "experiments/report_html_input.h"
#include "topologies/file_io.h"

namespace mpsim::experiments {
namespace report_assets {
extern const std::string_view kTemplate;
extern const std::string_view kDygraphsJs;
extern const std::string_view kDygraphsCss;
}  // namespace report_assets

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Policy labels in the order they ran: comparison.json's order, else every DIR/<label>/summary.json.
std::vector<std::string> run_labels(const fs::path& dir) {
  std::vector<std::string> labels;
  fs::path comparison = dir / "comparison.json";
  if (fs::exists(comparison)) {
    json c = report_input::read_json(comparison);
    const json& runs = report_input::field(c, "/runs", report_input::Kind::Array, comparison);
    for (std::size_t i = 0; i < runs.size(); ++i) {
      std::string at = "/runs/" + std::to_string(i) + "/label";
      labels.push_back(report_input::field(c, at, report_input::Kind::String, comparison).get<std::string>());
    }
  } else {
    for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
      if (e.is_directory() && fs::exists(e.path() / "summary.json")) labels.push_back(e.path().filename().string());
    }
    std::sort(labels.begin(), labels.end());
  }
  if (labels.empty()) {
    throw ReportInputError(dir.string() + ": not an mpsim result directory (no comparison.json and no "
                           "<policy>/summary.json): give the --out directory of `mpsim run`");
  }
  return labels;
}

json run_data(const fs::path& dir, const std::string& label) {
  fs::path run_dir = dir / label;
  json run;
  run["label"] = label;
  run["summary"] = report_input::read_summary(run_dir / "summary.json");
  run["policy"] = run["summary"]["policy"];
  run["clat"] = report_input::read_fio_clat(run_dir / "fio.json");
  run["timeline"] = report_input::read_timeline(run_dir / "timeline.csv");
  run["events"] = report_input::read_events(run_dir / "events.csv");
  return run;
}

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
  if (at == std::string::npos) throw std::logic_error("report template lacks " + std::string(marker));
  text.replace(at, marker.size(), with);
}

}  // namespace

std::string report_html(const std::string& results_dir) {
  fs::path dir(results_dir);
  if (!fs::is_directory(dir)) {
    throw ReportInputError(results_dir + ": no such directory (give the --out directory of `mpsim run`)");
  }
  json data;
  data["runs"] = json::array();
  for (const std::string& label : run_labels(dir)) data["runs"].push_back(run_data(dir, label));
  data["experiment"] = data["runs"][0]["summary"]["experiment"];
  data["source"] = data["runs"][0]["summary"]["source"];
  data["mpsim_version"] = MPSIM_VERSION;

  std::string page(report_assets::kTemplate);
  replace_once(page, "/*MPSIM_DYGRAPHS_CSS*/", report_assets::kDygraphsCss);
  replace_once(page, "/*MPSIM_DYGRAPHS_JS*/", report_assets::kDygraphsJs);
  replace_once(page, "/*MPSIM_DATA*/", script_safe(data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
  return page;
}

std::string write_report_html(const std::string& results_dir) {
  std::string page = report_html(results_dir);
  fs::path target = fs::path(results_dir) / "report.html";
  topology::write_file_atomic(target, page);  // whole or not at all (FileError is a runtime_error)
  return target.string();
}

}  // namespace mpsim::experiments
