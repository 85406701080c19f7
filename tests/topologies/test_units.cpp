// Quantities with units: bandwidth, size, duration.
#include <catch2/catch.hpp>

#include "topologies/units.h"

using namespace mpsim::topology;

TEST_CASE("parse_bandwidth: bit and byte rates", "[units]") {
  CHECK(parse_bandwidth("25Gbps") == 25e9);
  CHECK(parse_bandwidth("100 Gbps") == 100e9);
  CHECK(parse_bandwidth("1.5Mbps") == 1.5e6);
  CHECK(parse_bandwidth("10kbps") == 10e3);
  CHECK(parse_bandwidth("1Tbps") == 1e12);
  CHECK(parse_bandwidth("7GB/s") == 56e9);
  CHECK(parse_bandwidth("1KiB/s") == 8192);
  CHECK(parse_bandwidth("1MiB/s") == 8.0 * 1024 * 1024);
  CHECK_THROWS_WITH(parse_bandwidth("25"), Catch::Contains("needs a unit"));
  CHECK_THROWS_WITH(parse_bandwidth("25Gbit"), Catch::Contains("unknown unit \"Gbit\""));
  CHECK_THROWS_WITH(parse_bandwidth("0Gbps"), Catch::Contains("must be > 0"));
  CHECK_THROWS_WITH(parse_bandwidth("fast"), Catch::Contains("expected a number"));
  CHECK_THROWS_WITH(parse_bandwidth("-1Gbps"), Catch::Contains("expected a number"));
  CHECK_THROWS(parse_bandwidth("1.2.3Gbps"));
}

TEST_CASE("parse_size: fio's kb_base=1024 conventions", "[units]") {
  CHECK(parse_size("512") == 512);
  CHECK(parse_size("4k") == 4096);
  CHECK(parse_size("4K") == 4096);
  CHECK(parse_size("4KB") == 4096);
  CHECK(parse_size("4KiB") == 4096);
  CHECK(parse_size("1m") == 1048576);
  CHECK(parse_size("1MiB") == 1048576);
  CHECK(parse_size("2g") == 2ull << 30);
  CHECK(parse_size("1TiB") == 1ull << 40);
  CHECK(parse_size("1.5k") == 1536);
  CHECK(parse_size("128b") == 128);
  CHECK_THROWS_WITH(parse_size("1.1"), Catch::Contains("whole number of bytes"));
  CHECK_THROWS_WITH(parse_size("4x"), Catch::Contains("unknown unit \"x\""));
  CHECK_THROWS_WITH(parse_size(""), Catch::Contains("expected a number"));
  CHECK_THROWS_WITH(parse_size("99999999p"), Catch::Contains("too large"));
}

TEST_CASE("parse_duration: bare number is seconds, as fio's runtime", "[units]") {
  CHECK(parse_duration("2") == 2'000'000'000);
  CHECK(parse_duration("6s") == 6'000'000'000);
  CHECK(parse_duration("500ms") == 500'000'000);
  CHECK(parse_duration("100us") == 100'000);
  CHECK(parse_duration("250ns") == 250);
  CHECK(parse_duration("1m") == 60'000'000'000);
  CHECK(parse_duration("1h") == 3'600'000'000'000);
  CHECK(parse_duration("0.5s") == 500'000'000);
  CHECK(parse_duration("0") == 0);
  CHECK_THROWS_WITH(parse_duration("5 fortnights"), Catch::Contains("unknown unit \"fortnights\""));
  CHECK_THROWS_WITH(parse_duration("soon"), Catch::Contains("expected a number"));
}

TEST_CASE("format_bandwidth picks a readable unit", "[units]") {
  CHECK(format_bandwidth(25e9) == "25Gbps");
  CHECK(format_bandwidth(1.5e6) == "1.5Mbps");
  CHECK(format_bandwidth(100) == "100bps");
}
