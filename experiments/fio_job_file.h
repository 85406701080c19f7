// Reading fio job files (fio's ini format, as fio 3.33's init.c parse_jobs_ini reads it):
//
//   ; comment            # comment
//   [global]             options every later job starts from (a later [global] changes them
//   rw=randread          for the jobs after it only)
//   time_based           a key without a value is a boolean set to 1
//   [db]
//   include extra.fio    an included file adds options to this section (no sections of its own)
//   bs = 8k
//
// Boost.PropertyTree's INI reader does not fit: it rejects a key without '=' ("time_based"),
// rejects a repeated section ([global] may appear several times) and has no include. So this
// small parser, a pure function of its text (a libFuzzer target calls it; tests/fuzz).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace mpsim::experiments {

struct FioOption {
  std::string key;    // as written (fio matches option names exactly)
  std::string value;  // "" when written without '='
  bool has_value = false;
  std::string file;   // where it was written (the job file or an included one)
  int line = 0;
};

struct FioJobSection {
  std::string name;
  std::string file;
  int line = 0;
  std::vector<FioOption> options;  // the [global] options in force, then its own, in order
};

// An include's text by its path as written (relative paths are the caller's to resolve);
// throws std::runtime_error when it cannot be read.
using FioIncludeReader = std::function<std::string(const std::string& path)>;

// Every job section with its [global] options in front. Throws topology::InputError naming
// "FILE:LINE: ..." for each problem (an option outside a section, a bad section header, a
// section in an included file, an include without a reader or nested too deep).
std::vector<FioJobSection> parse_fio_job_file(std::string_view text, const std::string& filename,
                                              const FioIncludeReader& read_include = {});

}  // namespace mpsim::experiments
