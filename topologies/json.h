// JSON for every layer: nlohmann-json (Debian nlohmann-json3-dev) holds and escapes the document;
// dump_json prints it the way mpsim's outputs have always looked, so the bytes stay stable.
//
//   topology::Json doc;  doc["name"] = "quickstart";  doc["iops"] = 1301.9;
//   dump_json(doc, kReportJson)   ->  {\n  "name": "quickstart",\n  "iops": 1301.900000\n}\n
//
// Why not doc.dump(2): nlohmann prints a double in its shortest round-trip form ("1301.9"), and
// the reports print fio's fixed six decimals ("1301.900000"). dump_json is nlohmann's layout
// (dump(2) or dump()) with only the doubles printed by `float_format`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace mpsim::topology {

// Keys stay in the order they were written: the same data always gives the same bytes.
using Json = nlohmann::ordered_json;

struct JsonStyle {
  bool indented;             // true: dump(2)'s layout (two spaces, "key": value); false: dump()'s
  const char* float_format;  // printf format of a finite double; NaN and infinity print as null
};

// Report files (fio.json, summary.json, validation*.json, calibration.json): indented, "%.6f" like fio.
inline constexpr JsonStyle kReportJson{true, "%.6f"};
// `mpsim topo ... --json`: one line, six significant digits.
inline constexpr JsonStyle kCompactJson{false, "%.6g"};

// The document and a final newline. Bytes that are not valid UTF-8 in a string or key are printed
// as U+FFFD (the replacement character), so the output is always valid JSON.
std::string dump_json(const Json& doc, const JsonStyle& style);

}  // namespace mpsim::topology
