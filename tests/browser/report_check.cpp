// report_check RESULTS_DIR DOM_FILE CONSOLE_LOG: checks a report.html that headless Chromium
// loaded. The page's self-check (#mpsim-self-check in the dumped DOM) lists every chart with the
// series and point counts dygraphs holds; they must equal the counts computed here, independently
// of the page, from the result files (a run here, a sweep, sizing or validate directory in
// report_check_views.cpp). Any console message or page error fails the check.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "report_check_views.h"

namespace fs = std::filesystem;
using nlohmann::json;
using Counts = std::map<std::string, long>;  // series name -> points

namespace {

using report_check::slurp;

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') fields.back() += line[++i];
    else if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) fields.emplace_back();
    else fields.back() += c;
  }
  return fields;
}

std::vector<std::vector<std::string>> csv_rows(const fs::path& file) {
  std::istringstream in(slurp(file));
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) rows.push_back(split_csv_line(line));
  return rows;
}

// The lane suffix of an ana event ("h0:nqn.x/1 grp 1: a->b" -> "ns1 grp 1"), as the page names it.
std::string ana_lane_suffix(const std::string& detail) {
  std::string head = detail.substr(0, detail.rfind(": "));
  std::size_t space = head.find(' ');
  std::size_t slash = head.substr(0, space).rfind('/');
  return slash == std::string::npos ? head : "ns" + head.substr(slash + 1);
}

std::map<std::string, Counts> expected_charts(const fs::path& dir, const std::vector<std::string>& labels) {
  std::map<std::string, Counts> charts;
  Counts& cdf = charts["cdf"];
  for (const std::string& label : labels) {
    fs::path run = dir / label;
    Counts& latency = charts["latency-" + label];
    Counts& iops = charts["iops-" + label];
    latency = {{"p50", 0}, {"p99", 0}};
    for (const auto& row : csv_rows(run / "timeline.csv")) {
      if (row[1] == "all") {
        latency["p50"] += std::stod(row[4]) > 0;
        latency["p99"] += std::stod(row[5]) > 0;
      } else {
        ++iops[row[1]];
      }
    }
    // Lanes: distinct change times per lane, plus a segment at 0 if the first change is later.
    std::map<std::string, std::set<double>> times;
    json summary = json::parse(slurp(run / "summary.json"));
    for (const json& p : summary["paths"]) times[p["controller"].get<std::string>() + " ctrl"];
    for (const auto& row : csv_rows(run / "events.csv")) {
      if (row[1] == "ctrl-state") times[row[2] + " ctrl"].insert(std::stod(row[0]));
      if (row[1] == "ana") times[row[2] + " ANA " + ana_lane_suffix(row[3])].insert(std::stod(row[0]));
    }
    Counts& lanes = charts["lanes-" + label];
    for (const auto& [lane, at] : times) lanes[lane] = static_cast<long>(at.size()) + (!at.empty() && *at.begin() > 0);
    json fio = json::parse(slurp(run / "fio.json"));
    std::vector<std::pair<std::string, long>> cdf_series;
    for (const json& job : fio["jobs"]) {
      for (const char* d : {"read", "write"}) {
        const json& clat = job[d]["clat_ns"];
        if (clat["N"].get<double>() <= 0) continue;
        cdf_series.emplace_back(label + " " + job["jobname"].get<std::string>() + " " + d,
                                static_cast<long>(clat["percentile"].size()));
      }
    }
    for (const auto& [name, n] : cdf_series) cdf[cdf_series.size() > 1 ? name : label] = n;
  }
  return charts;
}

std::string unescape_html(std::string text) {
  const std::pair<std::string, std::string> entities[] = {{"&quot;", "\""}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}};
  for (const auto& [from, to] : entities) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
      text.replace(at, from.size(), to);
    }
  }
  return text;
}

json self_check(const fs::path& dom_file) {
  std::string dom = slurp(dom_file);
  std::size_t open = dom.find("<pre id=\"mpsim-self-check\"");
  if (open == std::string::npos) throw std::runtime_error(dom_file.string() + ": no #mpsim-self-check (page did not load?)");
  std::size_t start = dom.find('>', open) + 1, end = dom.find("</pre>", start);
  std::string text = unescape_html(dom.substr(start, end - start));
  if (text.empty()) throw std::runtime_error("the page's script did not finish: #mpsim-self-check is empty");
  return json::parse(text);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: report_check RESULTS_DIR DOM_FILE CONSOLE_LOG\n";
    return 2;
  }
  try {
    fs::path dir = argv[1];
    std::string view = "run";
    std::map<std::string, Counts> expected;
    bool sizing = !fs::exists(dir / "comparison.json") && !fs::exists(dir / "plan.json");
    for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
      if (e.is_directory() && fs::exists(e.path() / "validation.json")) view = "validate";
      sizing = sizing && (!e.is_directory() || e.path().filename().string().rfind("v-", 0) == 0);
    }
    if (fs::exists(dir / "plan.json") || (sizing && view == "run")) {
      view = "sweep";
      expected = report_check::expected_sweep_charts(dir);
    } else if (view == "validate") {
      expected = report_check::expected_validate_charts(dir);
    } else {
      std::vector<std::string> labels;
      const json comparison = json::parse(slurp(dir / "comparison.json"));
      for (const json& r : comparison["runs"]) labels.push_back(r["label"]);
      expected = expected_charts(dir, labels);
    }
    json page = self_check(argv[2]);
    int failures = 0;
    auto fail = [&](const std::string& what) { std::cerr << "FAIL: " << what << "\n", ++failures; };
    if (page.value("view", "") != view) fail("the page shows the " + page.value("view", "?") + " view, expected " + view);
    for (const json& e : page["errors"]) fail("page error: " + e.get<std::string>());
    std::istringstream console(slurp(argv[3]));
    for (std::string line; std::getline(console, line);) {
      if (line.find(":CONSOLE") != std::string::npos) fail("console message: " + line);
    }
    std::map<std::string, Counts> got;
    for (const json& chart : page["charts"]) {
      Counts& c = got[chart["id"].get<std::string>()];
      for (const json& s : chart["series"]) c[s["name"].get<std::string>()] = s["points"].get<long>();
    }
    long points = 0, series = 0;
    for (const auto& [id, want] : expected) {
      if (!got.count(id)) {
        fail("chart " + id + " missing from the page");
        continue;
      }
      for (const auto& [name, n] : want) {
        auto it = got[id].find(name);
        if (it == got[id].end()) fail(id + ": series \"" + name + "\" missing");
        else if (it->second != n) fail(id + ": series \"" + name + "\" holds " + std::to_string(it->second) +
                                       " points, the result files give " + std::to_string(n));
        points += n, ++series;
      }
      for (const auto& [name, n] : got[id]) {
        if (!want.count(name)) fail(id + ": unexpected series \"" + name + "\"");
      }
      if (want.empty()) fail(id + ": the result files give no series (nothing to check)");
    }
    for (const auto& [id, c] : got) {
      if (!expected.count(id)) fail("unexpected chart " + id);
    }
    std::cout << view << " view: " << expected.size() << " charts, " << series << " series, " << points << " points checked; "
              << failures << " problems\n";
    return failures ? 1 : 0;
  } catch (const std::exception& e) {
    std::cerr << "FAIL: " << e.what() << "\n";
    return 1;
  }
}
