// --set PATH=VALUE through reflection: selection by name, index and *, maps, unit strings,
// duration-valued *_s numbers, errors that list the alternatives, and the loader applying
// overrides (and connection_defaults) before its checks.
#include <catch2/catch.hpp>

#include <chrono>

#include "experiments/experiment.pb.h"
#include "experiments/experiment_loader.h"
#include "experiments/overrides.h"
#include "experiments/runner.h"
#include "sim/fault_spec.h"

namespace ex = mpsim::experiments;
using mpsim::experiment::Experiment;

namespace {

const char* kQuickstart = MPSIM_SOURCE_DIR "/experiments/quickstart.textproto";

Experiment two_jobs() {
  Experiment e;
  e.set_name("x");
  auto* a = e.add_jobs();
  a->set_name("a");
  a->set_iodepth(1);
  auto* b = e.add_jobs();
  b->set_name("b");
  b->set_iodepth(2);
  e.add_faults()->set_at("1s");
  auto* t = e.mutable_topology();
  t->add_connections()->set_host("h0");
  t->add_connections()->set_host("h1");
  return e;
}

void set(Experiment& e, const std::string& text) { ex::apply_override(e, ex::parse_override(text)); }

std::string error_of(Experiment e, const std::string& text) {
  try {
    set(e, text);
  } catch (const ex::OverrideError& err) {
    return err.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("overrides select list elements by name, index and *") {
  Experiment e = two_jobs();
  set(e, "jobs[b].iodepth=64");
  CHECK(e.jobs(0).iodepth() == 1);
  CHECK(e.jobs(1).iodepth() == 64);
  set(e, "jobs[0].iodepth=7");
  CHECK(e.jobs(0).iodepth() == 7);
  set(e, "topology.connections[*].options.kato_s=1.5");
  CHECK(e.topology().connections(0).options().kato_s() == 1.5);
  CHECK(e.topology().connections(1).options().kato_s() == 1.5);
  set(e, "topology.connections[1].options.io_timeout_s=500ms");  // a duration for a *_s number
  CHECK(e.topology().connections(1).options().io_timeout_s() == Approx(0.5));
  CHECK_FALSE(e.topology().connections(0).options().has_io_timeout_s());
}

TEST_CASE("overrides set strings with units, enums, messages, map entries and lists") {
  Experiment e = two_jobs();
  set(e, "faults[0].duration=500ms");
  CHECK(e.faults(0).duration() == "500ms");
  set(e, "faults[0].down={target: \"l1\" detection: SILENT}");
  CHECK(e.faults(0).down().target() == "l1");
  set(e, "faults[0].down.detection=immediate");
  CHECK(e.faults(0).down().detection() == mpsim::experiment::Down::IMMEDIATE);
  set(e, "models.media[nand-tlc-gen4].parallelism=32");
  CHECK(e.models().media().at("nand-tlc-gen4").parallelism() == 32);
  set(e, "models.media[nand-tlc-gen4].latency_cv=0.25");
  CHECK(e.models().media().at("nand-tlc-gen4").parallelism() == 32);
  CHECK(e.models().media().at("nand-tlc-gen4").latency_cv() == 0.25);
  set(e, "seed=42");
  CHECK(e.seed() == 42);
  e.mutable_topology()->add_subsystems()->set_nqn("n");
  set(e, "topology.subsystems[n].ports=p.a,p.b");
  REQUIRE(e.topology().subsystems(0).ports_size() == 2);
  CHECK(e.topology().subsystems(0).ports(1) == "p.b");
}

TEST_CASE("override errors name the path and the valid alternatives") {
  Experiment e = two_jobs();
  CHECK_THAT(error_of(e, "jobs[c].iodepth=1"), Catch::Contains("jobs[c].iodepth=1") && Catch::Contains("there are: a, b"));
  CHECK_THAT(error_of(e, "jobs[a].iodeph=1"), Catch::Contains("no field \"iodeph\"") && Catch::Contains("iodepth"));
  CHECK_THAT(error_of(e, "jobs[5].iodepth=1"), Catch::Contains("out of range") && Catch::Contains("0..1"));
  CHECK_THAT(error_of(e, "jobs[a].iodepth=many"), Catch::Contains("integer"));
  CHECK_THAT(error_of(e, "jobs[a].iodepth=-1"), Catch::Contains("integer"));
  CHECK_THAT(error_of(e, "faults[0].duration=soon"), Catch::Contains("duration"));
  CHECK_THAT(error_of(e, "jobs[a].bs=big"), Catch::Contains("bs"));
  CHECK_THAT(error_of(e, "faults[0].down.detection=LOUD"), Catch::Contains("AUTO, IMMEDIATE, SILENT"));
  CHECK_THAT(error_of(e, "jobs.iodepth=1"), Catch::Contains("is a list"));
  CHECK_THAT(error_of(e, "seed[0]=1"), Catch::Contains("not a list"));
  CHECK_THAT(error_of(e, "name.x=1"), Catch::Contains("no field \"x\""));
  CHECK_THAT(error_of(e, "topology.hosts[*].kernel_hz=100"), Catch::Contains("empty"));
  CHECK_THROWS_AS(ex::parse_override("no-equals"), ex::OverrideError);
  CHECK_THROWS_AS(ex::parse_override("=1"), ex::OverrideError);
}

TEST_CASE("the loader applies overrides before its checks, also inside a topology file") {
  ex::LoadedExperiment exp = ex::load_experiment_file(
      kQuickstart, ex::parse_overrides({"jobs[randread].iodepth=64", "topology.connections[*].options.kato_s=1",
                                        "topology.connections[*].options.io_timeout_s=5", "faults[0].duration=500ms"}));
  const mpsim::sim::Scenario& s = exp.runs.front().scenario;
  CHECK(s.jobs.front().iodepth == 64);
  REQUIRE(std::holds_alternative<mpsim::sim::faults::Down>(s.faults.front().kind));
  CHECK(std::get<mpsim::sim::faults::Down>(s.faults.front().kind).duration == std::chrono::milliseconds(500));
  for (const auto& c : s.topology.connections()) {
    CHECK(c.options().kato_s() == 1);
    CHECK(c.options().io_timeout_s() == 5);
  }
  // A value the loader rejects is reported like one written in the file.
  CHECK_THROWS_WITH(ex::load_experiment_file(kQuickstart, ex::parse_overrides({"jobs[0].iodepth=0"})),
                    Catch::Contains("iodepth"));
  CHECK_THROWS_WITH(ex::load_experiment_file(kQuickstart, ex::parse_overrides({"topology.connections[0].options.io_timeout_s=0"})),
                    Catch::Contains("io_timeout_s must be > 0"));
  CHECK_THROWS_WITH(ex::load_experiment_file(kQuickstart, ex::parse_overrides({"jobs[nope].iodepth=1"})),
                    Catch::Contains("there are: randread"));
}

TEST_CASE("connection_defaults fill only what a connection leaves unset") {
  ex::LoadedExperiment exp = ex::load_experiment_file(
      kQuickstart, ex::parse_overrides({"connection_defaults.kato_s=2", "connection_defaults.io_timeout_s=4",
                                        "topology.connections[0].options.kato_s=1"}));
  const auto& conns = exp.runs.front().scenario.topology.connections();
  REQUIRE(conns.size() >= 2);
  CHECK(conns[0].options().kato_s() == 1);
  CHECK(conns[1].options().kato_s() == 2);
  for (const auto& c : conns) CHECK(c.options().io_timeout_s() == 4);
  // With the topology left in its file, the defaults apply there too.
  ex::LoadedExperiment file = ex::load_experiment_file(kQuickstart, ex::parse_overrides({"connection_defaults.kato_s=3"}));
  for (const auto& c : file.runs.front().scenario.topology.connections()) CHECK(c.options().kato_s() == 3);
}

// The timers reach the controllers: under a silent port loss with kato 5 s, an io_timeout of 2 s
// ends the stall when the I/O timeout fires (2 s after the loss), while under the default 30 s
// only keep-alive could notice, and with kato 5 s not before the 4 s run ends (3 s after the loss).
TEST_CASE("io_timeout_s set through connection_defaults decides a silent loss's stall") {
  auto stall_with = [](const std::string& io_timeout) {
    auto exp = ex::load_experiment_file(
        MPSIM_SOURCE_DIR "/experiments/timer-study.textproto",
        ex::parse_overrides({"connection_defaults.kato_s=5", "connection_defaults.io_timeout_s=" + io_timeout,
                             "jobs[randread].runtime=4s"}));
    REQUIRE(exp.runs.size() == 1);
    std::vector<mpsim::sim::RunResult> results = ex::run_experiment(exp);
    REQUIRE(results.front().faults.size() == 1);
    REQUIRE(results.front().ledger.balanced());
    return std::chrono::duration<double>(results.front().faults.front().stall).count();
  };
  double short_timeout = stall_with("2");
  double default_timeout = stall_with("30");
  CHECK(short_timeout >= 1.9);
  CHECK(short_timeout <= 2.5);
  CHECK(default_timeout >= 2.99);  // stalled from the loss to the end of the run
}
