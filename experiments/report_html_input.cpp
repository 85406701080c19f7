#include "experiments/report_html_input.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <sstream>
#include <vector>

#include "topologies/file_io.h"

namespace mpsim::experiments::report_input {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string read_text(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    throw ReportInputError(file.string() + ": missing or unreadable (not an mpsim result directory?)");
  }
  try {
    return topology::read_file(file);
  } catch (const topology::FileError& e) {
    throw ReportInputError(std::string(e.what()) + " (not an mpsim result directory?)");
  }
}

bool has_kind(const json& v, Kind kind) {
  switch (kind) {
    case Kind::Object: return v.is_object();
    case Kind::Array: return v.is_array();
    case Kind::String: return v.is_string();
    case Kind::Number: return v.is_number();
    case Kind::NumberOrNull: return v.is_number() || v.is_null();
    case Kind::Bool: return v.is_boolean();
    case Kind::NumberOrString: return v.is_number() || v.is_string();
  }
  return false;
}

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::Object: return "an object";
    case Kind::Array: return "an array";
    case Kind::String: return "a string";
    case Kind::Number: return "a number";
    case Kind::NumberOrNull: return "a number or null";
    case Kind::Bool: return "true or false";
    case Kind::NumberOrString: return "a number or a string";
  }
  return "?";
}

// RFC 4180 rows (as report_csv.cpp writes them); the line number of each row is kept for errors.
struct CsvRow {
  std::size_t line = 0;
  std::vector<std::string> fields;
};

std::vector<CsvRow> parse_csv(const fs::path& file, const std::string& header) {
  std::string text = read_text(file);
  std::vector<CsvRow> rows;
  std::size_t line = 1, i = 0;
  while (i < text.size()) {
    CsvRow row{line, {}};
    std::string cell;
    bool quoted = false, row_done = false;
    for (; i < text.size() && !row_done; ++i) {
      char c = text[i];
      if (quoted) {
        if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') cell += text[++i];
        else if (c == '"') quoted = false;
        else cell += c, line += c == '\n';
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        row.fields.push_back(std::move(cell));
        cell.clear();
      } else if (c == '\n') {
        row_done = true;
        ++line;
      } else if (c != '\r') {
        cell += c;
      }
    }
    if (quoted) throw ReportInputError(file.string() + ":" + std::to_string(row.line) + ": unterminated quoted field");
    row.fields.push_back(std::move(cell));
    rows.push_back(std::move(row));
  }
  std::string got = rows.empty() ? "" : text.substr(0, text.find('\n'));
  if (got != header) {
    throw ReportInputError(file.string() + ":1: header is \"" + got + "\", expected \"" + header +
                           "\" (written by another mpsim version?)");
  }
  rows.erase(rows.begin());
  std::size_t columns = std::count(header.begin(), header.end(), ',') + 1;
  for (const CsvRow& r : rows) {
    if (r.fields.size() != columns) {
      throw ReportInputError(file.string() + ":" + std::to_string(r.line) + ": " + std::to_string(r.fields.size()) +
                             " fields, expected " + std::to_string(columns));
    }
  }
  return rows;
}

double number(const fs::path& file, const CsvRow& row, std::size_t column, const char* name) {
  const std::string& text = row.fields[column];
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    throw ReportInputError(file.string() + ":" + std::to_string(row.line) + ": " + name + " \"" + text +
                           "\" is not a number");
  }
  return value;
}

}  // namespace

json read_json(const fs::path& file) {
  std::string text = read_text(file);
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    throw ReportInputError(file.string() + ": " + e.what());  // nlohmann names the line and column
  }
}

const json& field(const json& doc, const std::string& pointer, Kind kind, const fs::path& file) {
  json::json_pointer at(pointer);
  if (!doc.contains(at)) throw ReportInputError(file.string() + ": field " + pointer + " is missing");
  const json& v = doc.at(at);
  if (!has_kind(v, kind)) {
    throw ReportInputError(file.string() + ": field " + pointer + " is not " + kind_name(kind));
  }
  return v;
}

json read_summary(const fs::path& file) {
  json s = read_json(file);
  if (!s.is_object()) throw ReportInputError(file.string() + ": not a JSON object");
  for (const char* key : {"/experiment", "/source", "/policy", "/label"}) field(s, key, Kind::String, file);
  field(s, "/simulated_s", Kind::Number, file);
  const json& paths = field(s, "/paths", Kind::Array, file);
  for (std::size_t i = 0; i < paths.size(); ++i) {
    std::string at = "/paths/" + std::to_string(i);
    field(s, at + "/controller", Kind::String, file);
    for (const char* key : {"/ios", "/share_pct", "/failover_events", "/failed_over_ios"}) field(s, at + key, Kind::Number, file);
  }
  const json& faults = field(s, "/faults", Kind::Array, file);
  for (std::size_t i = 0; i < faults.size(); ++i) {
    std::string at = "/faults/" + std::to_string(i);
    field(s, at + "/label", Kind::String, file);
    for (const char* key : {"/at_s", "/end_s", "/stall_ms", "/p99_during_us", "/p99_steady_us"}) {
      field(s, at + key, Kind::Number, file);
    }
    field(s, at + "/time_to_detect_ms", Kind::NumberOrNull, file);
    field(s, at + "/time_to_full_throughput_ms", Kind::NumberOrNull, file);
  }
  for (const char* key : {"/ledger/submitted", "/ledger/completed", "/ledger/failed", "/ledger/inflight_at_end"}) {
    field(s, key, Kind::Number, file);
  }
  field(s, "/ledger/failed_by_reason", Kind::Object, file);
  return s;
}

json read_fio_clat(const fs::path& file) {
  json fio = read_json(file);
  const std::string version = field(fio, "/fio version", Kind::String, file).get<std::string>();
  if (version != "mpsim-" MPSIM_VERSION) {
    throw ReportInputError(file.string() + ": written by " + version + ", this is mpsim-" MPSIM_VERSION +
                           ": run the experiment again with this version");
  }
  json out = json::array();
  const json& jobs = field(fio, "/jobs", Kind::Array, file);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    std::string at = "/jobs/" + std::to_string(i);
    const std::string job = field(fio, at + "/jobname", Kind::String, file).get<std::string>();
    for (const char* dir : {"read", "write"}) {
      std::string clat = at + "/" + dir + "/clat_ns";
      double n = field(fio, clat + "/N", Kind::Number, file).get<double>();
      if (n <= 0) continue;  // no completions: no distribution to draw
      json points = json::array();
      for (const auto& [pct, ns] : field(fio, clat + "/percentile", Kind::Object, file).items()) {
        double p = 0;
        auto [end, ec] = std::from_chars(pct.data(), pct.data() + pct.size(), p);
        if (ec != std::errc() || !ns.is_number()) {
          throw ReportInputError(file.string() + ": field " + clat + "/percentile/" + pct + " is not a percentile");
        }
        points.push_back({p, ns.get<double>()});
      }
      std::sort(points.begin(), points.end());  // the keys sort as text ("5.0" after "10.0")
      out.push_back({{"job", job}, {"dir", dir}, {"n", n}, {"percentiles", points}});
    }
  }
  return out;
}

json read_timeline(const fs::path& file) {
  json out = json::array();
  std::map<std::string, std::size_t> index_of;
  for (const CsvRow& row : parse_csv(file, "time_s,path,completions,iops,p50_us,p99_us,max_us")) {
    const std::string& path = row.fields[1];
    auto [it, fresh] = index_of.emplace(path, out.size());
    if (fresh) out.push_back({{"path", path}, {"t", json::array()}, {"iops", json::array()},
                              {"p50", json::array()}, {"p99", json::array()}});
    json& series = out[it->second];
    series["t"].push_back(number(file, row, 0, "time_s"));
    series["iops"].push_back(number(file, row, 3, "iops"));
    series["p50"].push_back(number(file, row, 4, "p50_us"));
    series["p99"].push_back(number(file, row, 5, "p99_us"));
  }
  return out;
}

json read_events(const fs::path& file) {
  json out = json::array();
  for (const CsvRow& row : parse_csv(file, "time_s,kind,subject,detail")) {
    out.push_back({number(file, row, 0, "time_s"), row.fields[1], row.fields[2], row.fields[3]});
  }
  return out;
}

}  // namespace mpsim::experiments::report_input
