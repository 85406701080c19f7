#include <catch2/catch.hpp>

#include <filesystem>

#include "topologies/file_io.h"

namespace fs = std::filesystem;
using namespace mpsim::topology;

TEST_CASE("a file written atomically reads back byte for byte, with no temporary left") {
  fs::path dir = fs::temp_directory_path() / "mpsim-test-file-io";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string text("line 1\n\0binary\xff\n", 16);
  write_file_atomic(dir / "a.txt", "old");
  write_file_atomic(dir / "a.txt", text);
  CHECK(read_file(dir / "a.txt") == text);
  write_file_atomic(dir / "empty", "");
  CHECK(read_file(dir / "empty").empty());
  int entries = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    CHECK(e.path().filename().string().find(".tmp") == std::string::npos);
    ++entries;
  }
  CHECK(entries == 2);
  fs::remove_all(dir);
}

TEST_CASE("file errors name the path and the reason") {
  CHECK_THROWS_WITH(read_file("/nonexistent/mpsim/x.json"),
                    "/nonexistent/mpsim/x.json: cannot read: No such file or directory");
  CHECK_THROWS_WITH(write_file_atomic("/nonexistent/mpsim/x.json", "x"),
                    Catch::StartsWith("/nonexistent/mpsim/x.json: cannot write: "));
  fs::path dir = fs::temp_directory_path() / "mpsim-test-file-io-dir";
  fs::create_directories(dir);
  CHECK_THROWS_AS(read_file(dir), FileError);  // a directory is not a file
  CHECK_THROWS_AS(write_file_atomic(dir, "x"), FileError);
  fs::remove_all(dir);
}
