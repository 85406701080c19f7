// Report writers on a hand-built RunResult: fio.json's shape and formulas, CSV headers and rows,
// JSON escaping, and all-or-nothing output directories.
#include <catch2/catch.hpp>

#include <filesystem>
#include <stdexcept>
#include <sstream>

#include "experiments/json_writer.h"
#include "experiments/reports.h"
#include "tests/experiments/read_file.h"

namespace ex = mpsim::experiments;
namespace sim = mpsim::sim;
using namespace std::chrono_literals;

namespace {

sim::LatencyStats latency(std::uint64_t n) {
  sim::LatencyStats s;
  s.count = n;
  s.min_ns = 90'000;
  s.max_ns = 1'500'000;
  s.mean_ns = 101'250.5;
  s.stddev_ns = 12'000.25;
  s.percentiles = {{1.0, 91'000}, {50.0, 100'000}, {99.0, 180'000}, {99.9, 400'000}};
  return s;
}

sim::RunResult sample_result() {
  sim::RunResult r;
  r.scenario = "sample";
  r.policy = "numa";
  r.seed = 9;
  r.simulated = 3s;
  sim::JobResult j;
  j.name = "randread";
  j.host = "h0";
  j.nqn = "nqn.test";
  j.nsid = 1;
  j.read.total_ios = 30'001;
  j.read.io_bytes = 30'001ull * 4096;
  j.read.runtime = 3s;
  j.read.clat = latency(30'001);
  j.read.lat = latency(30'001);
  r.jobs.push_back(j);
  r.controllers = {"h0/node-a.p0", "h0/node-b.p0"};
  r.heads = {{"h0", "nqn.test", 1}, {"h0", "nqn.test", 2}};
  r.paths.push_back({0, 0, 20'000, 0.75, 1, 0});
  r.paths.push_back({0, 1, 10'001, 0.25, 0, 2});
  r.paths.push_back({1, 1, 0, 0.0, 0, 0});  // no job uses nsid 2
  r.timeline = sim::Timeline(100ms, 3);  // all paths, then node-a, node-b
  r.timeline.resize(2);
  r.timeline.at(1, 0) = {1000, 100'000, 180'000, 400'000};
  r.timeline.at(1, 1) = {750, 99'000, 170'000, 390'000};
  r.timeline.at(1, 2) = {250, 101'000, 181'000, 401'000};
  r.events.push_back({2s, "fault", "h0.nic0--sw-a", "link down, \"immediate\""});
  r.faults.push_back({"f1: h0.nic0--sw-a down at 2s", 2s, 4s, 1500us, 900'000, 180'000, 0ns, sim::Duration{-1}});
  r.ledger = {30'101, 30'001, 0, 100, {}};
  r.simulated_ios = 30'101;
  return r;
}

ex::PlannedRun sample_run() {
  ex::PlannedRun run;
  run.label = "numa";
  run.policy_text = "numa";
  run.scenario.name = "sample";
  sim::JobSpec spec;
  spec.name = "randread";
  spec.host = "h0";
  spec.nqn = "nqn.test";
  spec.nsid = 1;
  run.scenario.jobs.push_back(spec);
  run.job_options.push_back({{"name", "randread"}, {"rw", "randread"}, {"bs", "4k"}, {"iodepth", "32"}});
  return run;
}

bool contains(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }


}  // namespace

TEST_CASE("fio.json has fio's shape and fio's formulas") {
  auto result = sample_result();
  auto run = sample_run();
  std::string j = ex::fio_json({run, result});
  INFO(j);
  CHECK(j.rfind("{\n  \"fio version\": \"mpsim-", 0) == 0);
  CHECK(contains(j, "\"timestamp\": 0,"));
  CHECK(contains(j, "\"global options\": {"));
  CHECK(contains(j, "\"randseed\": \"9\""));
  CHECK(contains(j, "\"jobname\": \"randread\""));
  CHECK(contains(j, "\"groupid\": 0"));
  CHECK(contains(j, "\"error\": 0"));
  CHECK(contains(j, "\"job options\": {\n        \"name\": \"randread\",\n        \"rw\": \"randread\""));
  CHECK(contains(j, "\"job_runtime\": 3000"));
  // 1000 * io_bytes / runtime_ms = 1000 * 122884096 / 3000 = 40961365 (integer, as fio).
  CHECK(contains(j, "\"io_bytes\": 122884096"));
  CHECK(contains(j, "\"io_kbytes\": 120004"));
  CHECK(contains(j, "\"bw_bytes\": 40961365"));
  CHECK(contains(j, "\"bw\": 40001"));
  // 1000 * 30001 / 3000 = 10000.333333
  CHECK(contains(j, "\"iops\": 10000.333333"));
  CHECK(contains(j, "\"runtime\": 3000"));
  CHECK(contains(j, "\"total_ios\": 30001"));
  CHECK(contains(j, "\"short_ios\": 0"));
  CHECK(contains(j, "\"drop_ios\": 0"));
  CHECK(contains(j, "\"slat_ns\": {\n          \"min\": 0,"));
  CHECK(contains(j, "\"clat_ns\": {\n          \"min\": 90000,\n          \"max\": 1500000,\n          \"mean\": 101250.500000"));
  CHECK(contains(j, "\"N\": 30001"));
  CHECK(contains(j, "\"1.000000\": 91000"));
  CHECK(contains(j, "\"99.000000\": 180000"));
  CHECK(contains(j, "\"99.900000\": 400000"));
  CHECK(contains(j, "\"lat_ns\": {"));
  CHECK(contains(j, "\"write\": {\n        \"io_bytes\": 0,"));
  CHECK(contains(j, "\"trim\": {"));
  CHECK(contains(j, "\"disk_util\": []"));
  // Percentiles on clat only, as fio by default: exactly one percentile object per job.
  std::size_t count = 0;
  for (std::size_t at = j.find("\"percentile\""); at != std::string::npos; at = j.find("\"percentile\"", at + 1)) ++count;
  CHECK(count == 1);
}

TEST_CASE("timeline.csv and events.csv have headers and one row per record") {
  auto result = sample_result();
  CHECK(ex::timeline_csv(result) ==
        "time_s,path,completions,iops,p50_us,p99_us,max_us\n"
        "0.000000,all,0,0.0,0.000,0.000,0.000\n"
        "0.000000,h0/node-a.p0,0,0.0,0.000,0.000,0.000\n"
        "0.000000,h0/node-b.p0,0,0.0,0.000,0.000,0.000\n"
        "0.100000,all,1000,10000.0,100.000,180.000,400.000\n"
        "0.100000,h0/node-a.p0,750,7500.0,99.000,170.000,390.000\n"
        "0.100000,h0/node-b.p0,250,2500.0,101.000,181.000,401.000\n");
  CHECK(ex::events_csv(result) ==
        "time_s,kind,subject,detail\n"
        "2.000000,fault,h0.nic0--sw-a,\"link down, \"\"immediate\"\"\"\n");
}

TEST_CASE("summary.json carries jobs, paths, faults and the ledger") {
  auto result = sample_result();
  auto run = sample_run();
  ex::LoadedExperiment exp{"sample", "", "/some/dir/sample.textproto", {}};
  std::string s = ex::summary_json(exp, {run, result});
  INFO(s);
  CHECK(contains(s, "\"source\": \"sample.textproto\""));  // no machine-specific path
  CHECK(contains(s, "\"seed\": 9"));
  CHECK(contains(s, "\"p99\": 180.000000"));
  CHECK(contains(s, "\"share_pct\": 75.000000"));
  CHECK(contains(s, "\"stall_ms\": 1.500000"));
  CHECK(contains(s, "\"time_to_detect_ms\": 0.000000"));
  CHECK(contains(s, "\"time_to_full_throughput_ms\": null"));
  CHECK(contains(s, "\"inflight_at_end\": 100"));
  CHECK(contains(s, "\"balanced\": true"));
}

TEST_CASE("the table shows policies side by side and flags an unbalanced ledger") {
  auto a = sample_result();
  auto b = sample_result();
  b.ledger.completed -= 1;
  auto run_a = sample_run();
  auto run_b = sample_run();
  run_b.label = "round-robin";
  ex::LoadedExperiment exp{"sample", "", "sample.textproto", {}};
  std::string t = ex::summary_table(exp, {{run_a, a}, {run_b, b}});
  INFO(t);
  CHECK(contains(t, "numa"));
  CHECK(contains(t, "round-robin"));
  CHECK(contains(t, "job randread (read):"));
  CHECK(contains(t, "10000"));
  CHECK(contains(t, "h0/node-a.p0 ns1"));
  CHECK(contains(t, "75.0"));
  CHECK(!contains(t, "ns2"));  // paths no job uses are left out
  CHECK(contains(t, "1.5 / 0.0 / 900.0"));
  CHECK(contains(t, "30101/30000/0/100 UNBALANCED"));
}

TEST_CASE("JSON strings are escaped") {
  ex::JsonWriter w;
  w.begin_object().field("k\"ey", std::string("a\\b\n\x01")).end_object();
  CHECK(w.str() == "{\n  \"k\\\"ey\": \"a\\\\b\\n\\u0001\"\n}\n");
}

TEST_CASE("JsonWriter builds the document in written order and rejects a malformed sequence") {
  ex::JsonWriter w;
  w.begin_object().field("n", 3).field("x", 0.5).key("list").begin_array().value("a").null().end_array();
  w.key("inner").begin_object().end_object().end_object();
  CHECK(w.str() == "{\n  \"n\": 3,\n  \"x\": 0.500000,\n  \"list\": [\n    \"a\",\n    null\n  ],\n  \"inner\": {}\n}\n");
  ex::JsonWriter open;
  open.begin_object();
  CHECK_THROWS_AS(open.str(), std::logic_error);                 // unclosed
  CHECK_THROWS_AS(open.value(1), std::logic_error);              // a value without its key
  CHECK_THROWS_AS(open.end_array(), std::logic_error);           // closes what is not open
  CHECK_THROWS_AS(ex::JsonWriter().key("k"), std::logic_error);  // a key outside an object
}

TEST_CASE("reports are written whole, with nothing staged left behind") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "mpsim-writers-test";
  fs::remove_all(dir);
  auto a = sample_result();
  auto run_a = sample_run();
  auto run_b = sample_run();
  run_b.label = "queue-depth";
  ex::LoadedExperiment exp{"sample", "", "sample.textproto", {}};
  ex::write_reports(dir.string(), exp, {{run_a, a}, {run_b, a}});
  for (const char* f : {"numa/fio.json", "numa/timeline.csv", "numa/events.csv", "numa/summary.json",
                        "queue-depth/fio.json", "comparison.json"}) {
    CHECK(fs::exists(dir / f));
  }
  CHECK(read_file(dir / "numa" / "fio.json") == ex::fio_json({run_a, a}));
  int entries = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    CHECK(e.path().filename().string().rfind(".tmp-", 0) != 0);
    ++entries;
  }
  CHECK(entries == 3);
  fs::remove_all(dir);
}

TEST_CASE("an unwritable output directory is an error, not partial output") {
  namespace fs = std::filesystem;
  fs::path file = fs::temp_directory_path() / "mpsim-writers-not-a-dir";
  mpsim::topology::write_file_atomic(file, "x");
  auto a = sample_result();
  auto run = sample_run();
  ex::LoadedExperiment exp{"sample", "", "sample.textproto", {}};
  CHECK_THROWS_AS(ex::write_reports((file / "out").string(), exp, {{run, a}}), std::runtime_error);
  fs::remove(file);
}
