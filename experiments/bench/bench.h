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
  double wall_s = 0;     // the whole case: set-up, connecting, I/O phase, result
  double io_wall_s = 0;  // from the first job submission to the end of the run
  double io_cpu_s = 0;   // CPU time over the same phase (wall time stretches on a busy machine)
  std::uint64_t events = 0;
  double cpu_s = 0;  // user + system of the case's process: what the run cost on a shared machine
  long peak_rss_kib = 0;
  bool ok = false;
  char error[256] = {};
};

// The standard cases: quickstart fabric at QD128, and leaf-spine fabrics with 1, 16, 256 and
// 1,024 hosts; `scale` adds 10,240 hosts. `quick` shortens simulated time tenfold (CI smoke).
std::vector<BenchCase> standard_cases(bool quick, bool with_10240_hosts = false);

BenchFigures run_case_in_child(const BenchCase& c);

// "bench <name>: hosts=... simulated_s=... simulated_ios=... events=... wall_s=... setup_s=... io_wall_s=...
//  cpu_s=... io_cpu_s=... ios_per_cpu_s=... run_ios_per_wall_s=... cpu_ns_per_event=... ios_per_wall_s=N
//  peak_rss_kib=M". ios_per_wall_s and ios_per_cpu_s are over the I/O phase only (simulated I/Os /
//  io_wall_s or io_cpu_s); run_ios_per_wall_s is over the whole case, set-up included.
std::string format_figures(const BenchCase& c, const BenchFigures& f);

struct CaseResult {
  std::string name;
  std::uint32_t hosts = 1;
  BenchFigures figures;
};

// fio's own per-I/O bookkeeping on this machine: `fio --ioengine=null --rw=randread --bs=4k
// --iodepth=128 --numjobs=1 --time_based --runtime=<runtime_s> --size=1g --name=x` (Debian's
// fio, installed with apt-get if missing; fio refuses a job without a size, which the null
// engine otherwise ignores).
struct FioLimit {
  bool ok = false;
  double iops = 0;            // I/Os per wall-second
  double iops_per_cpu_s = 0;  // per CPU-second of fio (usr + sys)
  std::string version, error;
};
FioLimit measure_fio_limit(int runtime_s);

// What one in-flight I/O holds: its pool slot, its one pending calendar event, the library's
// tag-table pointer.
std::size_t bytes_per_inflight_io();

// "cost_per_io <case>: cpu_ns_per_io=... ratio_to_1_host=..." per leaf-spine case, the budget
// lines (peak RSS at 1,024 and 10,240 hosts, per host, per in-flight I/O) and, given `fio`, the
// limit lines. Each target's line ends in "met" or "MISSED".
std::vector<std::string> summary_lines(const std::vector<CaseResult>& results, const FioLimit* fio);

}  // namespace mpsim::bench
