// report.html from a results directory: the data and the plotting library are in the page, the
// page is deterministic, and bad input is a ReportInputError naming the file and line or field,
// with nothing written. (tests/browser/ loads a real report in Chromium.)
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "experiments/report_html.h"
#include "tests/experiments/read_file.h"

namespace {

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using mpsim::experiments::report_html;
using mpsim::experiments::ReportInputError;
using mpsim::experiments::write_report_html;

void write(const fs::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary) << text;
}

std::string summary_json(const std::string& experiment) {
  return R"({"experiment": ")" + experiment + R"(", "source": "x.textproto", "policy": "numa", "label": "numa",
  "simulated_s": 1.0, "paths": [{"controller": "h0/a.p0", "ios": 10, "share_pct": 100.0, "failover_events": 0, "failed_over_ios": 0}],
  "faults": [{"label": "f1: down", "at_s": 0.2, "end_s": 0.4, "stall_ms": 1.5, "p99_during_us": 200.0,
              "p99_steady_us": 100.0, "time_to_detect_ms": null, "time_to_full_throughput_ms": 3.0}],
  "ledger": {"submitted": 10, "completed": 10, "failed": 0, "inflight_at_end": 0, "failed_by_reason": {}}})";
}

// A small result directory in the layout `mpsim run --out` writes (one policy, no comparison.json).
fs::path make_results(const std::string& name, const std::string& experiment = "tiny") {
  fs::path dir = fs::temp_directory_path() / ("mpsim-report-html-test-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir / "numa");
  write(dir / "numa/summary.json", summary_json(experiment));
  write(dir / "numa/fio.json", R"({"fio version": "mpsim-)" MPSIM_VERSION R"(", "jobs": [{"jobname": "j",
    "read": {"clat_ns": {"N": 10, "percentile": {"50.000000": 1000, "99.000000": 2000}}},
    "write": {"clat_ns": {"N": 0}}}]})");
  write(dir / "numa/timeline.csv",
        "time_s,path,completions,iops,p50_us,p99_us,max_us\n0.000000,all,5,50.0,1.000,2.000,3.000\n"
        "0.000000,h0/a.p0,5,50.0,1.000,2.000,3.000\n");
  write(dir / "numa/events.csv",
        "time_s,kind,subject,detail\n0.000000,ctrl-state,h0/a.p0,\"new->live (a, b)\"\n");
  return dir;
}

}  // namespace

TEST_CASE("report.html holds the plotting library and the results as JSON, deterministically") {
  fs::path dir = make_results("ok");
  std::string page = report_html(dir.string());
  CHECK_THAT(page, Contains("Dygraph"));  // the library, inlined
  const std::string label = R"("label":"numa")";
  const std::string event = R"j([0.0,"ctrl-state","h0/a.p0","new->live (a, b)"])j";  // a quoted CSV field
  const std::string percentiles = R"("percentiles":[[50.0,1000.0],[99.0,2000.0]])";
  CHECK_THAT(page, Contains(label));
  CHECK_THAT(page, Contains(event));
  CHECK_THAT(page, Contains(percentiles));
  CHECK(page.find("/*MPSIM_DATA*/") == std::string::npos);
  CHECK(page == report_html(dir.string()));
  std::string path = write_report_html(dir.string());
  CHECK(path == (dir / "report.html").string());
  CHECK(read_file(path) == page);
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) CHECK(e.path().filename().string()[0] != '.');
}

TEST_CASE("report.html escapes '<' in the data, so a name cannot close the script element") {
  std::string page = report_html(make_results("escape", "</script><b>x").string());
  CHECK(page.find("</script><b>x") == std::string::npos);
  CHECK_THAT(page, Contains("\\u003c/script>\\u003cb>x"));
}

TEST_CASE("a missing or foreign results directory is a clear error and writes nothing") {
  CHECK_THROWS_WITH(report_html("/nonexistent/mpsim-results"), Contains("/nonexistent/mpsim-results: no such directory"));
  fs::path empty = fs::temp_directory_path() / "mpsim-report-html-test-empty";
  fs::remove_all(empty);
  fs::create_directories(empty);
  CHECK_THROWS_WITH(write_report_html(empty.string()), Contains("not an mpsim result directory"));
  CHECK(fs::is_empty(empty));
}

TEST_CASE("bad result files name the file and the line or field") {
  fs::path dir = make_results("bad");
  SECTION("a timeline row with a non-number") {
    write(dir / "numa/timeline.csv", "time_s,path,completions,iops,p50_us,p99_us,max_us\n0.0,all,5,50.0,1,2,3\n0.1,all,5,x,1,2,3\n");
    CHECK_THROWS_WITH(report_html(dir.string()), Contains("timeline.csv:3: iops \"x\" is not a number"));
  }
  SECTION("a row with too few fields") {
    write(dir / "numa/events.csv", "time_s,kind,subject,detail\n0.0,fault,x\n");
    CHECK_THROWS_WITH(report_html(dir.string()), Contains("events.csv:2: 3 fields, expected 4"));
  }
  SECTION("a missing summary field") {
    std::string s = summary_json("tiny");
    s.replace(s.find("\"submitted\""), 11, "\"sent\"");
    write(dir / "numa/summary.json", s);
    CHECK_THROWS_WITH(report_html(dir.string()), Contains("summary.json: field /ledger/submitted is missing"));
  }
  SECTION("JSON syntax") {
    write(dir / "numa/summary.json", "{\n  \"experiment\": }");
    CHECK_THROWS_WITH(report_html(dir.string()), Contains("line 2, column"));
  }
  SECTION("another mpsim version") {
    write(dir / "numa/fio.json", R"({"fio version": "mpsim-0.0.0-old", "jobs": []})");
    CHECK_THROWS_WITH(report_html(dir.string()), Contains("written by mpsim-0.0.0-old"));
  }
  CHECK_THROWS_AS(write_report_html(dir.string()), ReportInputError);
  CHECK_FALSE(fs::exists(dir / "report.html"));
}

TEST_CASE("validate results: the validate view with each scenario's rows, bands where the results hold them") {
  const fs::path fixture = MPSIM_SOURCE_DIR "/tests/browser/validate-results";
  fs::path dir = fs::temp_directory_path() / "mpsim-report-html-test-validate";
  fs::remove_all(dir);
  fs::copy(fixture, dir, fs::copy_options::recursive);
  std::string page = report_html(dir.string());
  CHECK_THAT(page, Contains(R"("view":"validate")"));
  CHECK_THAT(page, Contains(R"("name":"steady-opt-opt-qd")"));
  CHECK_THAT(page, Contains(R"("chart":"stall_ms")"));      // a fault's stall row goes to the stall chart
  CHECK_THAT(page, Contains(R"("chart":"","measure":"path choice")"));  // text rows: table only
  CHECK_THAT(page, Contains(R"("real_band":[)"));           // real_min/real_max of the repeated runs
  CHECK_THAT(page, Contains(R"("real_band":null)"));        // a single run
  SECTION("a row without its verdict names the file and field, and nothing is written") {
    std::string text = read_file((dir / "steady-opt-opt-qd/validation.json").string());
    text.replace(text.find("\"pass\""), 6, "\"verdict\"");
    write(dir / "steady-opt-opt-qd/validation.json", text);
    CHECK_THROWS_WITH(write_report_html(dir.string()), Contains("steady-opt-opt-qd/validation.json: field /rows/0/pass is missing"));
    CHECK_FALSE(fs::exists(dir / "report.html"));
  }
}

TEST_CASE("sweep and sizing directories: collected results only, in this version's format") {
  fs::path dir = fs::temp_directory_path() / "mpsim-report-html-test-sweep";
  fs::remove_all(dir);
  fs::create_directories(dir / "points");
  write(dir / "plan.json", R"({"point_count": 1, "axes": [], "points": []})");
  // The point's result file is missing: a sweep not run (or run by another version) is named.
  CHECK_THROWS_WITH(report_html(dir.string()), Contains("points/0000.result.json: missing, or written by another mpsim version"));
  CHECK_FALSE(fs::exists(dir / "report.html"));
  // A directory of sizing probes that are not sweeps is not taken for a sizing search.
  fs::path sizing = fs::temp_directory_path() / "mpsim-report-html-test-sizing";
  fs::remove_all(sizing);
  fs::create_directories(sizing / "v-4");
  CHECK_THROWS_WITH(report_html(sizing.string()), Contains("not an mpsim result directory"));
}
