// Parsing what the guest writes (fio JSON, per-path samples, fault log, per-I/O logs) and the
// measures derived from it, on hand-made inputs whose answers are known.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "experiments/experiment_loader.h"
#include "topologies/file_io.h"
#include "validate/boot_probe.h"
#include "validate/fio_json.h"
#include "validate/guest_plan.h"
#include "validate/guest_results.h"
#include "validate/guest_runner.h"
#include "validate/guest_timeline.h"
#include "validate/pipeline.h"
#include "validate/real_run.h"
#include "validate/real_run_matrix.h"

using namespace mpsim;
using namespace mpsim::validate;

namespace {

// The shape fio 3.33 writes with --output-format=json (trimmed to the fields read).
const char* kFioJson = R"(note: both iodepth >= 1 and synchronous I/O engine are selected
{
  "fio version" : "fio-3.33",
  "jobs" : [
    {
      "jobname" : "randread",
      "error" : 0,
      "total_err" : 3,
      "first_error" : 5,
      "read" : {
        "io_bytes" : 40960, "total_ios" : 10, "iops" : 5.0, "runtime" : 2000,
        "clat_ns" : { "min" : 1000, "max" : 9000, "mean" : 4000.5, "stddev" : 10.0, "N" : 10,
          "percentile" : { "1.000000" : 1024, "50.000000" : 4096, "99.000000" : 8960, "99.900000" : 9024 } },
        "lat_ns" : { "min" : 1100, "max" : 9100, "mean" : 4100.0, "stddev" : 10.0, "N" : 10 }
      },
      "write" : { "io_bytes" : 0, "total_ios" : 0, "runtime" : 0 }
    }
  ]
})";

const char* kSamples =
    "t_ms,a_reads,a_writes,a_ctrl,a_ana,b_reads,b_writes,b_ctrl,b_ana\n"
    "0,1,0,live,optimized,0,0,live,optimized\n"
    "100,51,0,live,optimized,50,0,live,optimized\n"
    "200,101,0,live,inaccessible,100,0,live,optimized\n"
    "300,101,0,live,inaccessible,200,0,live,optimized\n"
    "400,121,0,live,optimized,280,0,live,optimized\n";

// What the guest leaves for fault-ana-inaccessible-numa: node-a's group inaccessible 1.1-2.6 s,
// a 50 ms gap in completions while the host fails over.
void write_ana_fault_run(const std::filesystem::path& dir) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto write = [&](const char* name, const std::string& text) { topology::write_file_atomic(dir / name, text); };
  write("t0_us", "5000000000\n");   // T0 = unix 5000000 ms
  write("faults.csv", "100,io_start\n1105,ana,nvmet_p1,1,inaccessible,0\n2600,ana,nvmet_p1,1,optimized,0\n4100,fio_exit,0\n");
  write("samples.csv",
        "t_ms,nvmet_p1_reads,nvmet_p1_writes,nvmet_p1_ctrl,nvmet_p1_ana,nvmet_p2_reads,nvmet_p2_writes,nvmet_p2_ctrl,nvmet_p2_ana\n"
        "90,1,0,live,optimized,0,0,live,optimized\n"
        "1120,1000,0,live,optimized,0,0,live,optimized\n"
        "1160,1000,0,live,inaccessible,40,0,live,optimized\n"
        "2640,1000,0,live,optimized,1500,0,live,optimized\n"
        "4100,2500,0,live,optimized,1500,0,live,optimized\n");
  std::string log;
  for (std::int64_t t = 100; t < 4100; ++t) {
    if (t >= 1100 && t < 1150) continue;  // a 50 ms gap while the host fails over
    log += std::to_string(5000000 + t) + ", " + std::to_string(t % 7 == 0 ? 9000 : 1000) + ", 0, 4096, 0\n";
  }
  write("io_lat.1.log", log);
  write("fio.json", kFioJson);
}

// The calibration of validate/README.md ("Calibration"), fitted and saved where `--reuse-runs`
// reads it; returned as saved.
Calibration write_readme_calibration(const std::filesystem::path& results, const std::string& kernel = "") {
  Calibration calibration;
  calibration.kernel = kernel;
  calibration.command = kernel.empty() ? "" : "mpsim validate --results r";
  calibration.runs.qd1_read = {17153.0, 55.733019, 47.805, 176.635};
  calibration.runs.qd16_read = {14236.5, 1102.539664, 893.901, 7210.297};
  calibration.runs.qd1_write = {13975.0, 68.924558, 52.937, 220.651};
  calibration.runs.qd16_write = {7576.5, 2046.159627, 1128.771, 11833.816};
  calibration.fit = fit_calibration(calibration.runs);
  topology::write_file_atomic(results / "calibration.json", calibration_json(calibration));
  return calibration;
}

// `mpsim validate --results RESULTS --reuse-runs SCENARIO_FILE`.
ValidateOptions reuse_runs_options(const std::filesystem::path& results, const std::string& scenario_file) {
  ValidateOptions options;
  options.source_dir = MPSIM_SOURCE_DIR;
  options.results = results.string();
  options.reuse_runs = true;
  options.scenarios = {scenario_file};
  return options;
}

}  // namespace

TEST_CASE("fio JSON: ios, runtime, percentiles and error counts", "[validate][fio]") {
  auto jobs = parse_fio_json(kFioJson);
  REQUIRE(jobs.size() == 1);
  const auto& j = jobs[0];
  CHECK(j.result.name == "randread");
  CHECK(j.total_err == 3);
  CHECK(j.result.read.total_ios == 10);
  CHECK(j.result.read.runtime == std::chrono::milliseconds(2000));
  CHECK(percentile_ns(j.result.read.clat, 50.0) == 4096);
  CHECK(percentile_ns(j.result.read.clat, 99.9) == 9024);
  CHECK(percentile_ns(j.result.read.clat, 99.5) == -1);
  CHECK(j.result.read.clat.percentiles.front().first == Approx(1.0));  // sorted by percentile
  CHECK(j.result.write.total_ios == 0);
}

TEST_CASE("fio JSON: garbage is an error, not an empty result", "[validate][fio]") {
  CHECK_THROWS_AS(parse_fio_json("fio: engine libaio not loadable"), GuestOutputError);
  CHECK_THROWS_AS(parse_fio_json("{\"jobs\": 3}"), GuestOutputError);
  CHECK_THROWS_AS(parse_fio_json("{\"jobs\": [ {\"read\": {}} ]}"), GuestOutputError);
}

TEST_CASE("samples: per-path I/O between two times and state changes", "[validate][samples]") {
  auto s = parse_samples_csv(kSamples, "samples.csv");
  CHECK(s.paths == std::vector<std::string>{"a", "b"});
  REQUIRE(s.rows.size() == 5);
  CHECK(s.rows[2].paths[0].ana == "inaccessible");
  CHECK(path_ios(s, 100, 300) == std::vector<std::uint64_t>{50, 150});
  CHECK(path_ios(s, 0, 400) == std::vector<std::uint64_t>{120, 280});
  CHECK(time_to_state_change(s, 150) == 50);     // first differing sample at 200
  CHECK(time_to_state_restore(s, 150, 250) == 150);  // back to optimized at 400
  CHECK(time_to_state_change(s, 450) == -1);
}

TEST_CASE("samples: a malformed row names file and line", "[validate][samples]") {
  CHECK_THROWS_WITH(parse_samples_csv("t_ms,a_reads,a_writes,a_ctrl,a_ana\n5,1,x,live,optimized\n", "s.csv"),
                    Catch::Contains("s.csv:2"));
  CHECK_THROWS_AS(parse_samples_csv("time,a\n", "s.csv"), GuestOutputError);
}

TEST_CASE("stall: the longest gap without completions, window edges included", "[validate][stall]") {
  std::vector<std::int64_t> t = {10, 20, 30, 500, 510, 900};
  CHECK(longest_gap_ms(t, 0, 1000) == 470);
  CHECK(longest_gap_ms(t, 600, 1000) == 300);   // 600 -> 900
  CHECK(longest_gap_ms(t, 950, 1000) == 50);    // nothing in the window: all of it
  CHECK(longest_gap_ms({}, 0, 100) == 100);
}

TEST_CASE("per-I/O log: completion times relative to T0, sorted, with latencies", "[validate][stall]") {
  Completions c;
  append_lat_log("1000105, 2000, 0, 4096, 0\n1000101, 1000, 0, 4096, 0\n", 1000000, "io_lat.1.log", c);
  append_lat_log("1000103, 3000, 0, 4096, 0\n", 1000000, "io_lat.2.log", c);
  sort_completions(c);
  CHECK(c.t_ms == std::vector<std::int64_t>{101, 103, 105});
  CHECK(c.latency_ns == std::vector<std::int64_t>{1000, 3000, 2000});
  CHECK(latency_percentile_ns(c, 0, 200, 50.0) == 2000);
  CHECK(latency_percentile_ns(c, 0, 200, 100.0) == 3000);
  CHECK(latency_percentile_ns(c, 104, 200, 50.0) == 2000);
  CHECK(latency_percentile_ns(c, 300, 400, 50.0) == -1);
  Completions bad;
  CHECK_THROWS_WITH(append_lat_log("12, abc\n", 0, "io_lat.1.log", bad), Catch::Contains("io_lat.1.log:1"));
}

TEST_CASE("recovery to full throughput: first window at 90% of steady", "[validate][stall]") {
  std::vector<std::int64_t> t;
  for (int ms = 0; ms < 1000; ++ms) t.push_back(ms);      // 100 per 100 ms
  for (int ms = 1500; ms < 2000; ms += 2) t.push_back(ms); // 50 per 100 ms
  for (int ms = 2000; ms < 3000; ++ms) t.push_back(ms);    // back to 100
  CHECK(time_to_throughput(t, 1000, 3000, 100.0, 100, 0.9) == 1000 - 20);  // [1980, 2080) holds 10 + 80 = 90
  CHECK(time_to_throughput(t, 1000, 1900, 100.0, 100, 0.9) == -1);
}

TEST_CASE("a results directory becomes the real run: split, stall, fault timings", "[validate][real]") {
  namespace fs = std::filesystem;
  auto exp = experiments::load_experiment_file(std::string(MPSIM_SOURCE_DIR) + "/validate/scenarios/fault-ana-inaccessible-numa.textproto");
  const auto& scenario = exp.runs.front().scenario;
  GuestPlan plan = plan_guest(scenario);
  fs::path dir = fs::temp_directory_path() / "mpsim-test-real-run";
  write_ana_fault_run(dir);
  auto write = [&](const char* name, const std::string& text) { topology::write_file_atomic(dir / name, text); };

  RealRun run = analyse_guest_results(scenario, plan, dir.string());
  CHECK(run.measure_from_ms == 100);
  CHECK(run.measure_to_ms == 4100);
  CHECK(run.completions == 3950);
  CHECK(run.iops == Approx(987.5));
  CHECK(run.p50_ns == 1000);
  CHECK(run.p99_ns == 9000);
  CHECK(run.stall_ms == 51);   // last completion at 1099, next at 1150
  CHECK(run.errors == 3);
  REQUIRE(run.paths.size() == 2);
  CHECK(run.paths[0].controller == "guest/nvmet.p1");
  CHECK(run.paths[0].ios == 2499);
  CHECK(run.paths[1].share == Approx(1500.0 / 3999.0));
  REQUIRE(run.faults.size() == 1);
  CHECK(run.faults[0].at_ms == 1100);
  CHECK(run.faults[0].end_ms == 2600);
  CHECK(run.faults[0].applied_ms == 1105);        // the ana write took effect 5 ms late
  CHECK(run.faults[0].time_to_detect_ms == 55);    // the sample at 1160
  CHECK(run.faults[0].time_to_restore_ms == 40);   // the sample at 2640
  std::string json = real_run_json(run);
  CHECK(json.find("\"controller\": \"guest/nvmet.p1\"") != std::string::npos);
  CHECK(json == real_run_json(analyse_guest_results(scenario, plan, dir.string())));
  // The state changed (1160) while the action still ran (it took effect at 1205): detected at once.
  write("faults.csv", "100,io_start\n1205,ana,nvmet_p1,1,inaccessible,0\n2600,ana,nvmet_p1,1,optimized,0\n4100,fio_exit,0\n");
  CHECK(analyse_guest_results(scenario, plan, dir.string()).faults[0].time_to_detect_ms == 0);

  // --reuse-runs reads the same directory back from under --results, only after a finished boot.
  const fs::path results = fs::temp_directory_path() / "mpsim-test-reuse";
  fs::remove_all(results);
  fs::create_directories(results);
  fs::copy(dir, results / results_subdir(scenario.name));
  GuestOptions options{MPSIM_SOURCE_DIR, results.string(), 300};
  CHECK_THROWS_WITH(read_guest_run(scenario, options), Catch::Contains("no earlier guest run"));
  topology::write_file_atomic(results / results_subdir(scenario.name) / "guest-exit", "0\n");
  CHECK(real_run_json(read_guest_run(scenario, options)) == real_run_json(analyse_guest_results(scenario, plan, dir.string())));
  fs::remove_all(results);

  fs::remove(dir / "fio.json");
  CHECK_THROWS_WITH(analyse_guest_results(scenario, plan, dir.string()), Catch::Contains("fio.json: missing"));
  fs::remove_all(dir);
}

TEST_CASE("validate::run with --reuse-runs: the same rows, validation.json and report as the steps by hand",
          "[validate][pipeline]") {
  namespace fs = std::filesystem;
  const std::string file = std::string(MPSIM_SOURCE_DIR) + "/validate/scenarios/fault-ana-inaccessible-numa.textproto";
  const fs::path results = fs::temp_directory_path() / "mpsim-test-pipeline";
  fs::remove_all(results);
  std::vector<sim::Scenario> scenarios = load_scenarios({file});
  REQUIRE(scenarios.size() == 1);
  const sim::Scenario& scenario = scenarios.front();
  const fs::path run_dir = results / results_subdir(scenario.name);
  write_ana_fault_run(run_dir);
  topology::write_file_atomic(run_dir / "guest-exit", "0\n");
  write_readme_calibration(results, "Linux version 6.12.117");

  const ValidateOptions options = reuse_runs_options(results, file);
  std::ostringstream out;
  const Verdict verdict = run(options, out);

  // The same comparison, step by step: what `mpsim validate --reuse-runs` printed before the move.
  GuestOptions guest{MPSIM_SOURCE_DIR, results.string(), 300};
  const RealRun real = read_guest_run(scenario, guest);
  const Calibration back = parse_calibration_json(topology::read_file(results / "calibration.json"),
                                                  (results / "calibration.json").string());
  // The guest's two ANA actions ran a while: the harness's pauses on top (calibration.h).
  const ActionWindows actions = action_windows(real, scenario);
  REQUIRE(actions.total_ms > 0);
  Calibration paused = back;
  paused.fit = with_extra_pauses(back.fit, kActionPausedShare * double(actions.total_ms) / double(actions.workload_ms),
                                 kActionPauseMeanUs);
  const ScenarioComparison c = compare_with_sim(scenario, real, paused);
  REQUIRE(!c.rows.empty());
  CHECK(topology::read_file(run_dir / "validation.json") == comparison_json(scenario.name, c.rows));
  // One run, from results without a boot probe: compared at the start calibration's speed.
  const std::string agreement = format_agreement({c}) + format_boot_probes({1, 0, 1, kActionPausedShare * double(actions.total_ms)}) +
                                format_targets({c}, {});
  CHECK(out.str() == format_calibration(back) + "\n" + format_real_header() + format_real_row(real) +
                         format_scenario(c) + "\n" + agreement);
  CHECK(topology::read_file(results / "report-reused.txt") ==
        format_calibration(back) + "\n" + format_scenario(c) + "\n" + agreement);
  const bool all_pass = std::all_of(c.rows.begin(), c.rows.end(), [](const CompareRow& r) { return r.pass; });
  CHECK(verdict == (all_pass ? Verdict::ok : Verdict::check_failed));

  // No saved calibration: a clear error naming the file, before anything is compared.
  fs::remove(results / "calibration.json");
  CHECK_THROWS_WITH(run(options, out), Catch::Contains((results / "calibration.json").string() + ": cannot read"));
  fs::remove_all(results);
}

TEST_CASE("validate::run --dry-run plans every scenario and boots nothing", "[validate][pipeline]") {
  namespace fs = std::filesystem;
  const fs::path results = fs::temp_directory_path() / "mpsim-test-pipeline-dry";
  fs::remove_all(results);
  ValidateOptions options;
  options.source_dir = MPSIM_SOURCE_DIR;
  options.results = results.string();
  options.dry_run = true;
  options.scenarios = {std::string(MPSIM_SOURCE_DIR) + "/validate/scenarios/fault-ana-inaccessible-numa.textproto"};
  std::ostringstream out;
  CHECK(run(options, out) == Verdict::ok);
  const std::string dir = out.str().substr(0, out.str().find('\n'));
  CHECK(fs::exists(fs::path(dir) / "init.sh"));
  CHECK(fs::exists(fs::path(dir) / "plan.txt"));
  CHECK(!fs::exists(fs::path(dir) / "validation-real.json"));
  // The boot's init: the speed probe first (boot_probe.h), then the scenario.
  CHECK(out.str().find("# boot init (speed probe first): " + dir + "/init-shared.sh\n") != std::string::npos);
  CHECK(fs::exists(fs::path(dir) / kBootProbeDir / "plan.txt"));
  fs::remove_all(results);
}

TEST_CASE("repetitions: rep-<k> directories, resumed runs read back, rows merged into bands", "[validate][pipeline]") {
  namespace fs = std::filesystem;
  const std::string file = std::string(MPSIM_SOURCE_DIR) + "/validate/scenarios/fault-ana-inaccessible-numa.textproto";
  const fs::path results = fs::temp_directory_path() / "mpsim-test-repetitions";
  fs::remove_all(results);
  std::vector<sim::Scenario> scenarios = load_scenarios({file});
  const sim::Scenario& scenario = scenarios.front();
  GuestOptions guest{MPSIM_SOURCE_DIR, results.string(), 300};
  guest.repetition = 2;
  CHECK(run_dir(guest, scenario.name) == fs::absolute(results / scenario.name / "rep-2").string());
  CHECK_FALSE(finished_run_exists(guest, scenario.name));
  for (int rep : {1, 2}) {  // two finished runs, as run_in_guest leaves them
    guest.repetition = rep;
    const fs::path dir = run_dir(guest, scenario.name);
    write_ana_fault_run(dir);
    topology::write_file_atomic(dir / "guest-exit", "0\n");
    topology::write_file_atomic(dir / "validation-real.json", real_run_json(read_guest_run(scenario, guest)));
  }
  guest.repetition = 3;  // a third that was booted but never finished: not resumable
  fs::create_directories(run_dir(guest, scenario.name));
  CHECK_FALSE(finished_run_exists(guest, scenario.name));

  // Resuming: the finished runs are read back, nothing is booted (no kernel is given).
  std::ostringstream rows;
  guest.repetition = 0;
  RealRunMatrix m = collect_real_runs(scenarios, {}, 2, "", guest, {}, rows);
  CHECK(m.booted == 0);
  CHECK(m.resumed == 2);
  CHECK(m.failed == 0);
  REQUIRE(m.runs[scenario.name].size() == 2);
  CHECK(m.runs[scenario.name][1].has_value());
  CHECK(rows.str().find(scenario.name + " #2") != std::string::npos);

  // --reuse-runs over the new layout: every finished repetition, merged.
  write_readme_calibration(results);
  ValidateOptions options = reuse_runs_options(results, file);
  options.repeat = 3;
  std::ostringstream out;
  run(options, out);
  CHECK(fs::exists(results / scenario.name / "rep-1" / "validation.json"));
  CHECK(fs::exists(results / scenario.name / "rep-2" / "validation.json"));
  const std::string merged = topology::read_file(results / scenario.name / "validation.json");
  CHECK(merged.find("\"measure\": \"iops\"") != std::string::npos);
  CHECK(out.str().find("real median [min, max]") != std::string::npos);
  CHECK(out.str().find("targets (issue 15") != std::string::npos);
  fs::remove_all(results);
}
