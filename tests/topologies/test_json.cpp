// dump_json: nlohmann's document and escaping, the reports' layout and number format.
#include <catch2/catch.hpp>

#include <limits>

#include "topologies/json.h"

using namespace mpsim::topology;

TEST_CASE("report JSON: two-space layout, keys in written order, doubles in fixed six decimals") {
  Json doc = {{"z", 1}, {"a", 0.6}, {"list", {1, -2, 3}}, {"empty_list", Json::array()}, {"empty", Json::object()},
              {"nested", {{"flag", true}, {"none", nullptr}}}};
  doc["nan"] = std::numeric_limits<double>::quiet_NaN();
  doc["big"] = std::uint64_t{18446744073709551615u};
  CHECK(dump_json(doc, kReportJson) ==
        "{\n  \"z\": 1,\n  \"a\": 0.600000,\n  \"list\": [\n    1,\n    -2,\n    3\n  ],\n  \"empty_list\": [],\n"
        "  \"empty\": {},\n  \"nested\": {\n    \"flag\": true,\n    \"none\": null\n  },\n  \"nan\": null,\n"
        "  \"big\": 18446744073709551615\n}\n");
  // Same layout as nlohmann's own dump(2) once no double is involved.
  doc.erase("a");
  doc.erase("nan");
  CHECK(dump_json(doc, kReportJson) == doc.dump(2) + "\n");
}

TEST_CASE("compact JSON: one line, six significant digits") {
  Json doc = {{"lat", 2.5}, {"bps", 2.5e10}, {"n", 7}, {"s", {"a", "b"}}};
  CHECK(dump_json(doc, kCompactJson) == "{\"lat\":2.5,\"bps\":2.5e+10,\"n\":7,\"s\":[\"a\",\"b\"]}\n");
}

TEST_CASE("JSON strings and keys are escaped as RFC 8259 requires") {
  Json doc = {{"k\"ey", "a\\b\n\t\r\b\f"}, {"ctl", std::string("\x01", 1)}};
  CHECK(dump_json(doc, kCompactJson) == "{\"k\\\"ey\":\"a\\\\b\\n\\t\\r\\b\\f\",\"ctl\":\"\\u0001\"}\n");
}

TEST_CASE("bytes that are not UTF-8 print as U+FFFD, so the output stays valid JSON") {
  Json doc = {{"name\xff", "h\xc3("}, {"ok", "caf\xc3\xa9"}};
  std::string text = dump_json(doc, kCompactJson);
  CHECK(text == "{\"name\xef\xbf\xbd\":\"h\xef\xbf\xbd(\",\"ok\":\"caf\xc3\xa9\"}\n");
  CHECK(Json::parse(text)["ok"] == "caf\xc3\xa9");
}
