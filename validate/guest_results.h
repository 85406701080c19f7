// Reading what the guest wrote (validate/guest/lib.sh) and the measures derived from it:
//   samples.csv   t_ms,<path>_reads,<path>_writes,<path>_ctrl,<path>_ana,...  (every ~20 ms)
//   faults.csv    t_ms,action,args...,rc   (each fault action as it took effect)
//   io_lat.N.log  fio per-I/O log: completion time (unix ms), latency (ns), direction, bs, ...
// Times are milliseconds since the workload start (T0, in t0_us).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mpsim::validate {

struct PathSample {
  std::uint64_t reads = 0;   // completed, from /sys/block/<path>/stat
  std::uint64_t writes = 0;
  std::string ctrl;          // /sys/class/nvme/<ctrl>/state ("live", "connecting", "deleted"...)
  std::string ana;           // /sys/block/<path>/ana_state ("optimized", ... "none" if unreadable)
  bool operator==(const PathSample&) const = default;
};

struct SampleRow {
  std::int64_t t_ms = 0;
  std::vector<PathSample> paths;  // in SampleTable::paths order
};

struct SampleTable {
  std::vector<std::string> paths;  // guest port keys, from the header
  std::vector<SampleRow> rows;
};

// Throws GuestOutputError naming `source` and the line for a malformed row.
SampleTable parse_samples_csv(std::string_view text, const std::string& source);

// Completion times of every logged I/O, in ms since T0 (unix ms - t0_ms), sorted.
// `latencies_ns` (optional) receives each I/O's latency in the same order.
struct Completions {
  std::vector<std::int64_t> t_ms;
  std::vector<std::int64_t> latency_ns;
};
void append_lat_log(std::string_view text, std::int64_t t0_ms, const std::string& source, Completions& out);
void sort_completions(Completions& c);

struct FaultRecord {
  std::int64_t t_ms = 0;
  std::string action;       // "ana", "unlink", "link", "net", "fatal", "reset"; marks: "connected"
                            // (one per port, before T0: negative), "io_start", "fio_exit"
  std::string detail;       // the rest of the line
};
std::vector<FaultRecord> parse_faults_csv(std::string_view text, const std::string& source);
// A line the fault runner wrote for a fault action, not a timeline mark (io_start, fio_exit,
// connected).
bool is_fault_action(const FaultRecord& r);
// The time of the first line of `action` (e.g. the "io_start" or "fio_exit" mark), if any.
std::optional<std::int64_t> first_record_ms(const std::vector<FaultRecord>& records, std::string_view action);

// Longest time in [from_ms, to_ms] without a completion (window edges count as boundaries).
std::int64_t longest_gap_ms(const std::vector<std::int64_t>& sorted_t_ms, std::int64_t from_ms, std::int64_t to_ms);

// I/Os each path completed between the last sample at or before from_ms and the last sample
// at or before to_ms (reads + writes).
std::vector<std::uint64_t> path_ios(const SampleTable& samples, std::int64_t from_ms, std::int64_t to_ms);

// First sample time >= at_ms whose path states (ctrl, ana) differ from the last sample before
// at_ms, minus at_ms; -1 if nothing changed.
std::int64_t time_to_state_change(const SampleTable& samples, std::int64_t at_ms);

// First sample time >= end_ms at which every path is back to its state before at_ms, minus
// end_ms; -1 if that never happened.
std::int64_t time_to_state_restore(const SampleTable& samples, std::int64_t at_ms, std::int64_t end_ms);

// First time >= from_ms at which a `bin_ms` window of completions reaches `fraction` of
// `steady_per_bin`, minus from_ms; -1 if never before to_ms.
std::int64_t time_to_throughput(const std::vector<std::int64_t>& sorted_t_ms, std::int64_t from_ms, std::int64_t to_ms,
                                double steady_per_bin, std::int64_t bin_ms, double fraction);

// Latency percentile (nearest rank) of the completions in [from_ms, to_ms]; -1 if none.
std::int64_t latency_percentile_ns(const Completions& c, std::int64_t from_ms, std::int64_t to_ms, double p);

}  // namespace mpsim::validate
