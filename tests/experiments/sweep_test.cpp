// Sweeps end to end on a short quickstart: the same bytes whatever the order points ran in,
// seeds from axis values (not positions), resume, failed points, bad axes; SLO parsing and
// judging; JUnit output validated by xmllint against tests/experiments/data/junit.xsd.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "experiments/experiment_loader.h"
#include "experiments/junit.h"
#include "experiments/runner.h"
#include "experiments/sizing.h"
#include "experiments/slo.h"
#include "experiments/sweep.h"
#include "experiments/sweep_files.h"
#include "tests/experiments/read_file.h"

namespace ex = mpsim::experiments;
namespace fs = std::filesystem;

namespace {

const char* kShort = R"(name: "short"
topology_file: ")" MPSIM_SOURCE_DIR R"(/topologies/quickstart.textproto"
seed: 1
jobs { name: "randread" host: "h0" nqn: "nqn.2026-11.io.mpsim:quickstart" nsid: 1 rw: "randread" bs: "4k" iodepth: 4 runtime: "200ms" }
compare { name: "numa" }
compare { name: "round-robin" }
faults { at: "50ms" duration: "50ms" down { target: "h0.nic0--sw-a" } }
slo { metric: P99_LATENCY job: "randread" comparator: LE threshold: "200us" }
)";

struct TempDir {
  fs::path path;
  TempDir() : path(fs::temp_directory_path() / ("mpsim-sweep-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  static int& counter() { static int n = 0; return n; }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

ex::SweepRequest request(const TempDir& t, std::vector<std::string> axes) {
  std::ofstream(t.file("short.textproto")) << kShort;
  ex::SweepRequest r{t.file("short.textproto"), {}, "", {}, {"fault:stall<=20ms"}};
  for (const std::string& a : axes) r.cli_axes.push_back(ex::parse_axis(a));
  return r;
}

}  // namespace

TEST_CASE("a sweep's results are the same bytes whatever order its points ran in") {
  TempDir a, b;
  std::vector<std::string> axes = {"jobs[randread].iodepth=1,4", "faults[0].down.detection=IMMEDIATE,SILENT"};
  REQUIRE(ex::plan_sweep(request(a, axes), a.file("out")) == 4);
  REQUIRE(ex::plan_sweep(request(b, axes), b.file("out")) == 4);
  CHECK(ex::run_points(a.file("out"), 0, 4) == 4);
  for (std::size_t i = 4; i-- > 0;) CHECK(ex::run_points(b.file("out"), i, 1) == 1);  // reverse order
  ex::CollectOutcome ca = ex::collect_sweep(a.file("out"));
  ex::collect_sweep(b.file("out"));
  CHECK(read_file(a.file("out/sweep.csv")) == read_file(b.file("out/sweep.csv")));
  CHECK(read_file(a.file("out/sweep.json")) == read_file(b.file("out/sweep.json")));
  // 4 points x 2 policies x (1 job + 1 fault) rows + header.
  std::string csv = read_file(a.file("out/sweep.csv"));
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 1 + 4 * 2 * 2);
  // Silent losses stall past 20 ms (kato 5 s), immediate ones do not: 2 points x 2 policies fail.
  CHECK(ca.failed_slos == 4);
  CHECK(ca.failed_points.empty());
  // Finished points are skipped on a rerun.
  CHECK(ex::run_points(a.file("out"), 0, 4) == 0);
}

TEST_CASE("a point's seed follows its axis values, not its position") {
  using V = std::vector<std::pair<std::string, std::string>>;
  CHECK(ex::point_seed(1, V{{"a", "1"}, {"b", "2"}}) == ex::point_seed(1, V{{"b", "2"}, {"a", "1"}}));
  CHECK(ex::point_seed(1, V{{"a", "1"}}) != ex::point_seed(1, V{{"a", "2"}}));
  CHECK(ex::point_seed(1, V{{"a", "1"}}) != ex::point_seed(2, V{{"a", "1"}}));
  CHECK(ex::point_seed(7, V{{"policy", "numa"}}) == 7);  // policies compare on the experiment's seed
  TempDir a, b;
  ex::plan_sweep(request(a, {"jobs[randread].iodepth=1,4"}), a.file("out"));
  ex::plan_sweep(request(b, {"jobs[randread].iodepth=4,1"}), b.file("out"));
  // iodepth=4 is point 1 in one sweep and point 0 in the other: same experiment text below the header.
  auto body = [](const std::string& text) { return text.substr(text.find("name:")); };
  CHECK(body(read_file(a.file("out/points/0001.textproto"))) == body(read_file(b.file("out/points/0000.textproto"))));
}

TEST_CASE("a failing point is recorded as failed, a missing one stops the collection") {
  TempDir t;
  ex::plan_sweep(request(t, {"jobs[randread].iodepth=1,4"}), t.file("out"));
  CHECK_THROWS_WITH(ex::collect_sweep(t.file("out")), Catch::Contains("0000, 0001"));
  std::ofstream(t.file("out/points/0001.textproto")) << "name: \"broken\"\n";  // no seed, no jobs
  ex::run_points(t.file("out"), 0, 2);
  ex::CollectOutcome c = ex::collect_sweep(t.file("out"));
  REQUIRE(c.failed_points == std::vector<std::size_t>{1});
  CHECK_THAT(read_file(t.file("out/sweep.csv")), Catch::Contains("seed: required"));
}

TEST_CASE("bad sweeps are refused before anything is written") {
  TempDir t;
  CHECK_THROWS_AS(ex::parse_axis("jobs[0].iodepth="), std::invalid_argument);
  CHECK(ex::plan_sweep(request(t, {"jobs[0].iodepth=1,2", "seed=3"}), t.file("o")) == 2);  // grid: 2 x 1
  auto zip = request(t, {"jobs[0].iodepth=1,2", "seed=3"});
  zip.mode = "zip";
  CHECK_THROWS_WITH(ex::plan_sweep(zip, t.file("z")), Catch::Contains("all must have as many"));
  CHECK_FALSE(fs::exists(t.file("z")));
  CHECK_THROWS_WITH(ex::plan_sweep(request(t, {"jobs[0].iodepth=1,0"}), t.file("bad")), Catch::Contains("point 1"));
  CHECK_FALSE(fs::exists(t.file("bad")));
}

TEST_CASE("SLO texts parse, and unknown metrics, scopes and subjects are named") {
  CHECK(ex::slo_text(ex::parse_slo("job=randread:p99<=1ms")) == "job=randread:p99<=1ms");
  CHECK(ex::parse_slo("iops>=50k").metric() == mpsim::experiment::Slo::IOPS);
  CHECK_THROWS_WITH(ex::parse_slo("p98<=1ms"), Catch::Contains("unknown metric") && Catch::Contains("p99.9"));
  CHECK_THROWS_WITH(ex::parse_slo("rack=a:p99<=1ms"), Catch::Contains("unknown scope"));
  CHECK_THROWS_WITH(ex::parse_slo("p99~1ms"), Catch::Contains("METRIC CMP THRESHOLD"));
  ex::LoadedExperiment exp = ex::load_experiment_text(kShort, "short", ".");
  CHECK_THROWS_WITH(ex::check_slos({ex::parse_slo("job=nope:p99<=1ms")}, exp), Catch::Contains("jobs: randread"));
  CHECK_THROWS_WITH(ex::check_slos({ex::parse_slo("fault=3:stall<=1s")}, exp), Catch::Contains("no fault 3"));
  CHECK_THROWS_WITH(ex::check_slos({ex::parse_slo("host:stall<=1s")}, exp), Catch::Contains("no value at this scope"));
  CHECK_THROWS_WITH(ex::check_slos({ex::parse_slo("p99<=soon")}, exp), Catch::Contains("threshold"));
  CHECK_NOTHROW(ex::check_slos({ex::parse_slo("namespace=nqn.2026-11.io.mpsim:quickstart/1:p99<=1ms")}, exp));
}

TEST_CASE("SLOs judge each subject of a run") {
  ex::RunMetrics run;
  run.policy = "numa";
  run.jobs.push_back({"a.0", "h0", "n", 1, 1000, 4096000, 0, 1000, 100000, 900000, 1000000, 2000000});
  run.jobs.push_back({"a.1", "h1", "n", 1, 1000, 4096000, 2, 1000, 100000, 1500000, 1600000, 3000000});
  // Latency is judged on every I/O of the subject pooled (the engine's histograms), not on
  // a figure derived from the jobs' own: the namespace's p99 lies between the two hosts'.
  run.pooled.push_back({"job", "a", 2000, 100000, 1200000, 1600000, 3000000});
  run.pooled.push_back({"host", "h0", 1000, 100000, 900000, 1000000, 2000000});
  run.pooled.push_back({"host", "h1", 1000, 100000, 1500000, 1600000, 3000000});
  run.pooled.push_back({"namespace", "n/1", 2000, 100000, 1200000, 1600000, 3000000});
  run.faults.push_back({"f", 0, 3000000000, -1, 5, 1, 0});
  run.ledger = {10, 8, 2, 0, {}};
  auto judge = [&](const std::string& text) {
    auto out = ex::evaluate_slos({ex::parse_slo(text)}, run);
    INFO(text);
    REQUIRE(!out.empty());
    return out;
  };
  auto ns = judge("namespace:p99<=1ms");
  REQUIRE(ns.size() == 1);
  CHECK_FALSE(ns[0].passed);
  CHECK(ns[0].measured == "1.200ms");
  CHECK(judge("namespace=n/1:p99<=1300us")[0].passed);  // pooled, not the worse host's 1.5 ms
  CHECK(judge("job=a:p99<=1300us")[0].passed);          // the clones pooled too
  CHECK(judge("job=a:iops>=2000")[0].passed);  // clones add up
  CHECK(judge("host:p99<=1ms").size() == 2);
  CHECK(judge("host=h0:p99<=1ms")[0].passed);
  CHECK_FALSE(judge("fault:detect<=10s")[0].passed);  // never detected
  CHECK_FALSE(judge("stall<3s")[0].passed);
  CHECK(judge("stall<=3s")[0].passed);
  CHECK(judge("ledger==1")[0].passed);
  CHECK(judge("failed<=2")[0].passed);
  CHECK_FALSE(judge("errors==0")[0].passed);
}

TEST_CASE("JUnit output validates against the JUnit schema with xmllint") {
  if (std::system("command -v xmllint >/dev/null 2>&1") != 0) {
    WARN("xmllint (Debian libxml2-utils) is not installed: JUnit schema check not run");
    return;
  }
  TempDir t;
  ex::SloOutcome pass{"p99<=1ms", "numa", "job a", true, "0.5ms", "<=1ms"};
  ex::SloOutcome fail{"stall<3s & \"q\"", "rr", "fault 0 (<x>)", false, "4s", "<3s"};
  ex::write_junit(t.file("j.xml"), "suite", {{"e.point-0000", pass}, {"e.point-0001", fail}});
  std::string cmd = "xmllint --noout --schema " MPSIM_SOURCE_DIR "/tests/experiments/data/junit.xsd " + t.file("j.xml") + " 2>" + t.file("err");
  int rc = std::system(cmd.c_str());
  INFO(read_file(t.file("err")));
  CHECK(rc == 0);
  std::string xml = read_file(t.file("j.xml"));
  CHECK_THAT(xml, Catch::Contains("tests=\"2\" failures=\"1\""));
  // The schema is not a rubber stamp: a negative count fails it.
  std::ofstream(t.file("bad.xml")) << std::string(xml).replace(xml.find("tests=\"2\""), 9, "tests=\"-2\"");
  std::string bad = "xmllint --noout --schema " MPSIM_SOURCE_DIR "/tests/experiments/data/junit.xsd " + t.file("bad.xml") + " 2>/dev/null";
  CHECK(std::system(bad.c_str()) != 0);
}

TEST_CASE("sizing finds the largest iodepth whose p99 holds, reusing probes") {
  TempDir t;
  ex::SizingRequest req{request(t, {}), "jobs[randread].iodepth", 1, 128.0, true};
  req.base.slos = {"p99<=125us"};
  int ran = 0;
  auto run_dir = [&](const std::string& dir) { ran += static_cast<int>(ex::run_points(dir, 0, 1)); };
  ex::SizingResult r = ex::size_search(req, t.file("size"), run_dir);
  REQUIRE(r.largest_passing);
  REQUIRE(r.smallest_failing);
  CHECK(*r.smallest_failing == *r.largest_passing + 1);
  CHECK(r.non_monotone.empty());
  for (const ex::SizingProbe& p : r.probes) CHECK(p.passed == (p.value <= *r.largest_passing));
  CHECK(ran == static_cast<int>(r.probes.size()));
  ran = 0;
  ex::SizingResult again = ex::size_search(req, t.file("size"), run_dir);  // every probe reused
  CHECK(ran == 0);
  CHECK(*again.largest_passing == *r.largest_passing);
}
