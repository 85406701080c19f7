// The engine comparison's pure parts (validate/three_way.h): engine lists, the emulator's fault
// times merged into the guest's faults.csv, tolerance checks and rows across engines.
#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>

#include "validate/fio_json.h"
#include "validate/guest_results.h"
#include "validate/three_way.h"

using namespace mpsim::validate;

TEST_CASE("engine lists name sim, nvmet and emulator, and need a real engine") {
  const EngineSet all = parse_engines("emulator,sim,nvmet");
  CHECK((all.sim && all.nvmet && all.emulator));
  const EngineSet two = parse_engines("sim,emulator");
  CHECK((two.sim && !two.nvmet && two.emulator));
  CHECK_THROWS_WITH(parse_engines("sim,spdk"), Catch::Contains("unknown engine \"spdk\""));
  CHECK_THROWS_WITH(parse_engines("sim"), Catch::Contains("name nvmet or emulator"));
}

TEST_CASE("the default engine scenarios exist: ANA change, port down, silent loss, target reset, steady split") {
  const auto files = default_engine_scenarios(MPSIM_SOURCE_DIR);
  REQUIRE(files.size() == 5);
  for (const auto& f : files) CHECK(std::filesystem::exists(f));
}

TEST_CASE("the emulator's fault actions join faults.csv at io_start + their time since the fault clock") {
  const std::string faults = "-850,connected,p1\n-840,connected,p2\n0,io_start\n4012,fio_exit,0\n";
  const std::string events =
      "time_s,kind,subject,detail\n"
      "0.000100,listen,nvmet.p1,127.0.0.1:4420\n"
      "10.500000,fault-clock,emulator,fault schedule starts (SIGUSR1)\n"
      "11.502000,fault,nvmet.p1,\"f1, ana\"\n"
      "12.001000,io-count,nvmet.p1,\"5 I/Os, 0 refused by ANA\"\n"
      "13.500400,fault-end,nvmet.p1,f1\n"
      "13.600000,fault-skipped,nvmet.p1,host reset\n";
  const std::string merged = merge_emulator_faults(faults, events, "dir");
  CHECK(merged ==
        "-850,connected,p1\n-840,connected,p2\n0,io_start\n1002,emu-fault,nvmet.p1;f1; ana\n"
        "3000,emu-fault-end,nvmet.p1;f1\n4012,fio_exit,0\n");
  const auto records = parse_faults_csv(merged, "merged");
  REQUIRE(records.size() == 6);
  CHECK(is_fault_action(records[3]));
  CHECK(records[3].t_ms == 1002);
  SECTION("fault actions without a fault clock are refused, naming the file") {
    CHECK_THROWS_AS(merge_emulator_faults(faults, "time_s,kind,subject,detail\n1.0,fault,nvmet.p1,f1\n", "dir"),
                    GuestOutputError);
  }
  SECTION("a realtime stamp on the fault clock anchors it on the guest's timeline, not at io_start") {
    // The signal reached the emulator 250 ms after the guest's io_start (t0 + 0 ms): its faults
    // happened 250 ms later than io_start + (time since the clock) says.
    const std::string stamped =
        "time_s,kind,subject,detail\n"
        "10.500000,fault-clock,emulator,fault schedule starts (SIGUSR1); realtime_us 1000250000\n"
        "11.502000,fault,nvmet.p1,f1\n";
    const std::string out = merge_emulator_faults(faults, stamped, "dir", 1000000000);
    CHECK(out.find("1252,emu-fault,nvmet.p1;f1\n") != std::string::npos);
    CHECK(out.find("250,io_start\n") != std::string::npos);  // the schedule's time 0 is the fault clock
    // The clock started 25 ms before the guest stamped io_start: the fault (1 s after the clock)
    // stays at io_start + 1 s, not before it, where the analysis would pass it over.
    const std::string early =
        "time_s,kind,subject,detail\n"
        "10.500000,fault-clock,emulator,fault schedule starts (SIGUSR1); realtime_us 999975000\n"
        "11.500300,fault,nvmet.p1,f1\n";
    const auto records = parse_faults_csv(merge_emulator_faults(faults, early, "dir", 1000000000), "merged");
    std::int64_t io_start = 0, fault = 0;
    for (const auto& r : records) {
      if (r.action == "io_start") io_start = r.t_ms;
      if (is_fault_action(r)) fault = r.t_ms;
    }
    CHECK(io_start == -25);
    CHECK(fault == 975);
    CHECK(fault >= io_start + 1000);
    CHECK(merge_emulator_faults(faults, stamped, "dir").find("1002,emu-fault") != std::string::npos);  // no t0: io_start
    CHECK_THROWS_AS(merge_emulator_faults(faults, "time_s,kind,subject,detail\n10.5,fault-clock,emulator,x; realtime_us z\n"
                                                  "11.5,fault,nvmet.p1,f1\n", "dir", 1),
                    GuestOutputError);
  }
  SECTION("no fault action: faults.csv is unchanged") {
    CHECK(merge_emulator_faults(faults, "time_s,kind,subject,detail\n", "dir") == faults);
  }
}

TEST_CASE("tolerances read the way compare.cpp writes them") {
  CHECK(within_tolerance("exact", 0, 0));
  CHECK_FALSE(within_tolerance("exact", 0, 1));
  CHECK(within_tolerance("3pp", 50.0, 52.9));
  CHECK_FALSE(within_tolerance("3pp", 50.0, 53.5));
  CHECK(within_tolerance("10%", 1000, 1090));
  CHECK_FALSE(within_tolerance("10%", 1000, 1120));
  CHECK(within_tolerance("20% or 100ms", 50, 140));      // the floor
  CHECK(within_tolerance("20% or 100ms", 2000, 2390));   // the fraction
  CHECK_FALSE(within_tolerance("20% or 100ms", 2000, 2500));
  CHECK(within_tolerance("20% or 100ms", -1, -1));       // never agrees with never
  CHECK_FALSE(within_tolerance("20% or 100ms", -1, 30));
}

TEST_CASE("engine rows match measures across the two comparisons and judge the emulator against nvmet") {
  ScenarioComparison nv{"s", "numa",
                        {{"path choice", 0, 0, "exact", true, "nvmet.p1", "nvmet.p1"},
                         {"p50_us", 1500, 1400, "15%", true, "", ""},
                         {"stall_ms f1", 20, 0, "20% or 100ms", true, "", ""},
                         {"detect_ms f1", 2700, 2650, "20% or 100ms", true, "", ""}}};
  ScenarioComparison em{"s", "numa",
                        {{"path choice", 0, 0, "exact", true, "nvmet.p1", "nvmet.p1"},
                         {"p50_us", 3000, 1400, "15%", false, "", ""},
                         {"stall_ms f1", 60, 0, "20% or 100ms", true, "", ""},
                         {"detect_ms f1", 5200, 2650, "20% or 100ms", false, "", ""}}};
  const auto rows = engine_rows(nv, em);
  REQUIRE(rows.size() == 3);  // latency is left out: it follows the hosts' speed
  CHECK(rows[0].measure == "path choice");
  CHECK(rows[0].nvmet == "nvmet.p1");
  CHECK(*rows[0].emulator_vs_nvmet);
  CHECK(rows[1].measure == "stall_ms f1");
  CHECK(*rows[1].emulator_vs_nvmet);  // 60 vs 20 ms: within the 100 ms floor
  CHECK(rows[2].measure == "detect_ms f1");
  CHECK(*rows[2].nvmet_vs_sim);
  CHECK_FALSE(*rows[2].emulator_vs_sim);
  CHECK_FALSE(*rows[2].emulator_vs_nvmet);
  const std::string text = format_engine_rows("s", "numa", rows);
  CHECK_THAT(text, Catch::Contains("DIFFER"));
  CHECK_THAT(format_engine_agreement({rows}), Catch::Contains("emulator~nvmet:  detect_ms 0/1"));
  SECTION("one engine only: its column, no cross verdict") {
    const auto only = engine_rows(std::nullopt, em);
    REQUIRE(only.size() == 3);
    CHECK(only[0].nvmet.empty());
    CHECK_FALSE(only[0].emulator_vs_nvmet.has_value());
  }
}

TEST_CASE("an engine comparison refuses the options it cannot honour (--reuse-runs), before any boot") {
  ValidateOptions o;
  o.source_dir = MPSIM_SOURCE_DIR;
  o.results = "unused-results";
  o.reuse_runs = true;
  std::ostringstream out;
  CHECK(run_engines(o, parse_engines("sim,nvmet,emulator"), out) == Verdict::bad_input);
  o.reuse_runs = false;
  o.scenarios = {std::string(MPSIM_SOURCE_DIR) + "/validate/scenarios/no-such-file.textproto"};
  CHECK(run_engines(o, parse_engines("nvmet,emulator"), out) == Verdict::bad_input);
  CHECK_FALSE(std::filesystem::exists("unused-results"));
}
