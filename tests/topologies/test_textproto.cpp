// The generic text-format loader: syntax errors and field locations.
#include <catch2/catch.hpp>

#include <fstream>

#include "topologies/textproto.h"
#include "topologies/topology.pb.h"

using namespace mpsim::topology;

namespace {

std::string syntax_error(const std::string& text) {
  Topology topo;
  try {
    parse_textproto(text, "t.textproto", topo);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("syntax errors name file, line and column", "[textproto]") {
  CHECK_THAT(syntax_error("name: \"x\"\nhosts {\n  nmae: \"h\"\n}\n"), Catch::StartsWith("t.textproto:3:7: ") && Catch::Contains("no field named \"nmae\""));
  CHECK_THAT(syntax_error("name: \"x\"\nhosts {\n  name: \"h\"\n"), Catch::StartsWith("t.textproto:4:1: "));
  CHECK_THAT(syntax_error("links { latency_us: fast }"), Catch::StartsWith("t.textproto:1:21: "));
  CHECK(syntax_error("name: \"x\"").empty());
}

TEST_CASE("an unreadable file is an InputError naming it", "[textproto]") {
  Topology topo;
  try {
    parse_textproto_file("/nonexistent/dir/f.textproto", topo);
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).rfind("/nonexistent/dir/f.textproto: cannot read", 0) == 0);
  }
}

TEST_CASE("SourceMap locates fields of nested messages by pointer", "[textproto]") {
  Topology topo;
  SourceMap map = parse_textproto(
      "name: \"x\"\n"
      "hosts { name: \"h0\" }\n"
      "hosts {\n"
      "  name: \"h1\"\n"
      "  nics { name: \"n0\" }\n"
      "  nics {\n"
      "    speed: \"1Gbps\"\n"
      "  }\n"
      "}\n"
      "subsystems { nqn: \"q\" ports: \"a.b\" ports: \"c.d\" }\n",
      "f.tp", topo);
  CHECK(map.where(topo, "name") == "f.tp:1:1");
  CHECK(map.where(topo.hosts(1), "name") == "f.tp:4:3");
  CHECK(map.path(topo.hosts(1), "name") == "hosts[1].name");
  CHECK(map.where(topo.hosts(1).nics(1), "speed") == "f.tp:7:5");
  CHECK(map.path(topo.hosts(1).nics(1), "speed") == "hosts[1].nics[1].speed");
  // A field that was never written locates at the start of its message.
  CHECK(map.where(topo.hosts(1).nics(1), "name") == "f.tp:6:3");
  CHECK(map.where(topo.hosts(0), "nics") == "f.tp:2:1");
  // Repeated scalars by index.
  CHECK(map.where(topo.subsystems(0), "ports", 1) == "f.tp:10:36");
  CHECK(map.path(topo.subsystems(0), "ports", 1) == "subsystems[0].ports[1]");
  // A message the map does not know (a copy) only gets the file name.
  Host copy = topo.hosts(1);
  CHECK(map.where(copy, "name") == "f.tp");
}

TEST_CASE("Diagnostics collects every problem and throws them together", "[textproto]") {
  Topology topo;
  SourceMap map = parse_textproto("name: \"x\"\nhosts { name: \"a\" }\n", "g.tp", topo);
  Diagnostics diag;
  CHECK(diag.empty());
  CHECK_NOTHROW(diag.throw_if_any());
  diag.error(map, topo.hosts(0), "name", "first");
  diag.add("elsewhere:9:9", "", "second");
  REQUIRE(diag.problems().size() == 2);
  try {
    diag.throw_if_any();
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()) == "g.tp:2:9: hosts[0].name: first\nelsewhere:9:9: second");
    CHECK(e.problems().size() == 2);
  }
}
