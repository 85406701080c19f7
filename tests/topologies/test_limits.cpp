// Regressions for issue 17's findings on input limits in topologies/: unit ranges, special and
// oversize files, a directory given to `topo check`, JSON given to `topo check`.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "topologies/file_io.h"
#include "topologies/topology.h"
#include "topologies/units.h"

using namespace mpsim::topology;
namespace fs = std::filesystem;

namespace {

std::string problems_of_file(const std::string& path) {
  try {
    load_topology_file(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return {};
}

fs::path scratch(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("mpsim-limits-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

}  // namespace

TEST_CASE("limits: bandwidths outside 1Kbps..10Tbps are refused", "[units][limits]") {
  CHECK(parse_bandwidth("1Kbps") == 1e3);
  CHECK(parse_bandwidth("10Tbps") == 10e12);
  CHECK_THROWS_WITH(parse_bandwidth("0.000000001bps"), Catch::Contains("outside 1Kbps..10Tbps"));
  CHECK_THROWS_WITH(parse_bandwidth("999bps"), Catch::Contains("outside"));
  CHECK_THROWS_WITH(parse_bandwidth("11Tbps"), Catch::Contains("outside"));
  CHECK_THROWS_WITH(parse_bandwidth("99999999999999999999999999999999999999TB/s"), Catch::Contains("outside"));
}

TEST_CASE("limits: durations longer than 366 days are refused", "[units][limits]") {
  CHECK(parse_duration("366d") == limits::kMaxDurationNs);
  CHECK_THROWS_WITH(parse_duration("367d"), Catch::Contains("at most 366d"));
  CHECK_THROWS_WITH(parse_duration("106751d"), Catch::Contains("too long"));
  CHECK_THROWS_WITH(parse_duration("9223372036854775807ns"), Catch::Contains("too long"));
}

TEST_CASE("limits: read_file refuses a directory, /dev/zero and a file over its limit", "[file-io][limits]") {
  CHECK_THROWS_WITH(read_file(fs::temp_directory_path()), Catch::Contains("Is a directory"));
  CHECK_THROWS_WITH(read_file("/dev/zero"), Catch::Contains("not a regular file"));
  const fs::path big = scratch("big.textproto");
  { std::ofstream(big) << "name: \"x\"\n"; }
  fs::resize_file(big, limits::kMaxInputFileBytes + 1);  // sparse: no disk used
  CHECK_THROWS_WITH(read_file(big, limits::kMaxInputFileBytes), Catch::Contains("over the limit"));
  CHECK(problems_of_file(big.string()).find("over the limit") != std::string::npos);
  fs::remove_all(big.parent_path());
}

TEST_CASE("limits: topo check DIR says it cannot read a directory, not 'name: required'", "[limits]") {
  const std::string what = problems_of_file(fs::temp_directory_path().string());
  CHECK(what.find("cannot read: Is a directory") != std::string::npos);
  CHECK(what.find("required field") == std::string::npos);
}

TEST_CASE("limits: topo check of a JSON file points at topo import", "[limits][nvmetcli]") {
  const fs::path json = scratch("config.json");
  { std::ofstream(json) << "{\n  \"hosts\": [], \"ports\": [], \"subsystems\": []\n}\n"; }
  const std::string what = problems_of_file(json.string());
  CHECK(what.find(json.string() + ":1:1:") != std::string::npos);
  CHECK(what.find("mpsim topo import --nvmetcli " + json.string()) != std::string::npos);
  fs::remove_all(json.parent_path());
}

TEST_CASE("limits: CPU counts over 65536 and enum numbers without a name are refused in a topology", "[limits]") {
  const std::string base = R"(name: "t"
hosts { name: "h0" numa_nodes { id: 0 cpus: 4294967295 } nics { name: "n0" speed: "25Gbps" } }
target_nodes { name: "t0" cpus: 2147483648 ports { name: "p0" traddr: "10.0.0.1" trsvcid: 4420 speed: "100Gbps" ana_groups { grpid: 1 state: OPTIMIZED } } }
links { a: "h0.n0" b: "t0.p0" bandwidth: "25Gbps" latency_us: 1 }
subsystems { nqn: "nqn.x" ports: "t0.p0" namespaces { nsid: 1 size: "1g" ana_grpid: 1 media: "m" } }
connections { host: "h0" port: "t0.p0" nqn: "nqn.x" }
)";
  try {
    parse_topology(base, "v.tp");
    FAIL("accepted");
  } catch (const InputError& e) {
    const std::string what = e.what();
    CHECK(what.find("v.tp:2:39: hosts[0].numa_nodes[0].cpus: must be at most 65536") != std::string::npos);
    CHECK(what.find("v.tp:3:27: target_nodes[0].cpus: must be at most 65536") != std::string::npos);
  }
  std::string bad_state = base;
  bad_state.replace(bad_state.find("state: OPTIMIZED"), 16, "state: 77");
  CHECK_THROWS_WITH(parse_topology(bad_state, "v.tp"), Catch::Contains("ana_groups[0].state: 77 is not a state"));
}
