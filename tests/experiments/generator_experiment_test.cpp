// An experiment whose fabric is a generator block: inline or in a topology file, expanded before
// the jobs are checked against it; its problems reported at the experiment's lines.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "experiments/experiment_loader.h"
#include "experiments/leaf_spine.h"
#include "topologies/textproto.h"

namespace ex = mpsim::experiments;

namespace {

std::string experiment(const std::string& fabric, const std::string& host) {
  return "name: \"gen\"\nseed: 3\n" + fabric +
         "\njobs { name: \"j\" host: \"" + host +
         "\" nqn: \"nqn.2026-11.io.mpsim:leaf-spine\" nsid: 2 rw: \"randread\" runtime: \"10ms\" }\npolicy { name: \"numa\" }\n";
}

std::string load_error(const std::string& text) {
  try {
    ex::load_experiment_text(text, "gen.textproto", ".");
  } catch (const mpsim::topology::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("an inline generator block is the bench's leaf-spine fabric for the same host count") {
  auto loaded = ex::load_experiment_text(experiment("topology { generator { leaf_spine { hosts: 40 } } }", "h39"),
                                         "gen.textproto", ".");
  REQUIRE(loaded.runs.size() == 1);
  const auto& topo = loaded.runs[0].scenario.topology;
  CHECK(topo.hosts_size() == 40);
  CHECK(topo.SerializeAsString() == [] {
    auto t = ex::make_leaf_spine(40);
    return t.SerializeAsString();
  }());
}

TEST_CASE("a job on a host the generated fabric does not have is an error at the job's line") {
  std::string err = load_error(experiment("topology { generator { leaf_spine { hosts: 4 } } }", "h4"));
  CHECK_THAT(err, Catch::Contains("gen.textproto:4:"));
  CHECK_THAT(err, Catch::Contains("jobs[0].host"));
}

TEST_CASE("bad generator parameters in an experiment name the experiment's file:line:col") {
  std::string err = load_error(experiment("topology {\n  generator { leaf_spine { hosts: 4 spines: 0 } }\n}", "h0"));
  CHECK_THAT(err, Catch::Contains("gen.textproto:4:37: topology.generator.leaf_spine.spines: 0 is out of range: 1..64"));
}

TEST_CASE("a topology_file holding only a generator block loads expanded") {
  auto dir = std::filesystem::temp_directory_path() / "mpsim-generator-file-test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "fabric.textproto") << "generator { leaf_spine { hosts: 3 nics_per_host: 2 } }\n";
  std::ofstream(dir / "exp.textproto") << experiment("topology_file: \"fabric.textproto\"", "h2");
  auto loaded = ex::load_experiment_file((dir / "exp.textproto").string());
  CHECK(loaded.runs.at(0).scenario.topology.hosts(2).nics_size() == 2);
  std::filesystem::remove_all(dir);
}

TEST_CASE("connection_defaults reach the connections of a generated fabric") {
  auto loaded = ex::load_experiment_text(
      experiment("topology { generator { leaf_spine { hosts: 2 } } }\nconnection_defaults { kato_s: 2 }", "h1"),
      "gen.textproto", ".");
  const auto& topo = loaded.runs.at(0).scenario.topology;
  REQUIRE(topo.connections_size() == 16);
  for (const auto& c : topo.connections()) CHECK(c.options().kato_s() == 2);
}
