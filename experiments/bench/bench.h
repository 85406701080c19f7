// `mpsim bench`: simulated I/Os per wall-clock second and peak memory, per case. Each case runs
// in a forked child so its peak RSS (getrusage ru_maxrss) is its own.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/scenario.h"

namespace mpsim::bench {

struct BenchCase {
  std::string name;
  std::uint32_t hosts = 1;
  std::function<sim::Scenario()> make;  // called in the child
};

struct BenchFigures {
  double simulated_s = 0;
  std::uint64_t simulated_ios = 0;
  std::uint64_t completed_ios = 0;
  double wall_s = 0;
  double cpu_s = 0;  // user + system of the case's process: what the run cost on a shared machine
  long peak_rss_kib = 0;
  bool ok = false;
  char error[256] = {};
};

// The standard cases: quickstart fabric at QD128, and leaf-spine fabrics with 1, 16, 256 and
// 1,024 hosts. `quick` shortens simulated time tenfold (CI smoke).
std::vector<BenchCase> standard_cases(bool quick);

BenchFigures run_case_in_child(const BenchCase& c);

// "bench <name>: hosts=... simulated_s=... simulated_ios=... wall_s=... cpu_s=... ios_per_cpu_s=...
//  ios_per_wall_s=N peak_rss_kib=M"
std::string format_figures(const BenchCase& c, const BenchFigures& f);

}  // namespace mpsim::bench
