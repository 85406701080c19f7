// Reading results directories for report.html, strictly: a file that is missing, malformed or
// written by another mpsim version is a ReportInputError naming the file and the line (CSV),
// line:col (JSON syntax) or field path (JSON content) at fault.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "experiments/report_html.h"

namespace mpsim::experiments::report_input {

enum class Kind { Object, Array, String, Number, NumberOrNull, Bool, NumberOrString };

nlohmann::json read_json(const std::filesystem::path& file);
// The value at `pointer` (e.g. "/faults/0/label") if it has `kind`; else a ReportInputError.
const nlohmann::json& field(const nlohmann::json& doc, const std::string& pointer, Kind kind,
                            const std::filesystem::path& file);

// summary.json as written, after checking the fields the page reads.
nlohmann::json read_summary(const std::filesystem::path& file);
// fio.json's completion latency percentiles: [{job, dir, n, percentiles: [[pct, ns], ...]}] for
// each job and direction that completed I/O. Checks that this mpsim version wrote the file.
nlohmann::json read_fio_clat(const std::filesystem::path& file);
// timeline.csv by path, in order of first appearance: [{path, t: [], iops: [], p50: [], p99: []}].
nlohmann::json read_timeline(const std::filesystem::path& file);
// events.csv rows: [[time_s, kind, subject, detail], ...].
nlohmann::json read_events(const std::filesystem::path& file);

// What kind of results directory `dir` is (by the files each command writes), or why none.
enum class ResultsKind { Run, Sweep, Sizing, Validate };
ResultsKind results_kind(const std::filesystem::path& dir);

// The page data of each view (the "view" field names the page part that draws it).
nlohmann::json run_view_data(const std::filesystem::path& dir);
nlohmann::json sweep_view_data(const std::filesystem::path& dir);     // `mpsim sweep --out DIR`
nlohmann::json sizing_view_data(const std::filesystem::path& dir);    // `mpsim size --out DIR`
nlohmann::json validate_view_data(const std::filesystem::path& dir);  // `mpsim validate --results DIR`

}  // namespace mpsim::experiments::report_input
