// Everything one simulation run measured. The experiments layer turns it into the stdout
// table, fio.json, timeline.csv, events.csv and summary.json; nothing here formats output.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "policies/types.h"

namespace mpsim::sim {

using policies::Duration;

// Latency distribution in nanoseconds (fio's clat_ns / lat_ns shape).
struct LatencyStats {
  std::uint64_t count = 0;
  std::int64_t min_ns = 0;
  std::int64_t max_ns = 0;
  double mean_ns = 0;
  double stddev_ns = 0;
  std::vector<std::pair<double, std::int64_t>> percentiles;  // (99.0, ns) for fio's default list
  // The histogram itself: (lowest value of the bucket in ns, samples) for every non-empty
  // bucket, in value order (fio's json+ bins are made from it; see Histogram).
  std::vector<std::pair<std::int64_t, std::uint64_t>> buckets;
};

// What completed in one window of Scenario::sample_interval of a job's measured time (fio's
// iops/bw samples and its log_avg_msec logs are made from these).
struct SampleWindow {
  std::uint64_t ios = 0;
  std::uint64_t bytes = 0;
  double latency_sum_ns = 0;
  std::int64_t latency_max_ns = 0;
};

struct DirectionStats {
  std::uint64_t total_ios = 0;       // completed successfully in the measured window
  std::uint64_t io_bytes = 0;
  std::uint64_t errors = 0;          // failed I/Os in the window
  Duration runtime{};                // measured window (runtime, excluding ramp_time)
  LatencyStats clat;                 // submit to completion (as fio measures it)
  LatencyStats lat;                  // same in mpsim (no separate submission latency), without buckets; kept for fio's shape
  std::vector<SampleWindow> windows; // [k] = [k, k+1) x sample_interval from the start of the measured window
  double iops() const;
  double bw_bytes() const;
};

// fio's I/O depth distributions (stat.c io_u_map, io_u_submit, io_u_complete), counted in the
// measured window, in fio's seven buckets.
struct DepthCounts {
  std::array<std::uint64_t, 7> at_submit{};  // I/Os by in-flight count when submitted: 1, 2-3, 4-7, .. 32-63, >=64
  std::array<std::uint64_t, 7> submits{};    // io_submit calls by I/Os in the call: 0, 1-4, 5-8, .. 33-64, >64
  std::array<std::uint64_t, 7> reaps{};      // reaps (io_getevents) by completions reaped, same buckets
};

struct JobResult {
  std::string name;                  // "<job>" or "<job>.<clone>"
  std::string host;
  std::string nqn;
  std::uint32_t nsid = 0;
  std::string tenant;                // "" = none
  DirectionStats read;
  DirectionStats write;
  DepthCounts depth;
  // The error that stopped the job (fio's default: the first failed I/O ends the job).
  bool stopped_by_error = false;
  std::string error_reason;          // policies::to_string(FailReason)
  std::uint16_t error_status = 0;    // the NVMe status, when the reason is one
};

// The jobs of one tenant together (sim/tenants.h): counts add up, latency percentiles are of
// all their I/O pooled; throttled time is summed over I/Os (host io.max in the measured window,
// target QoS over the whole run).
struct TenantResult {
  std::string name;
  std::vector<std::string> jobs;
  DirectionStats read;
  DirectionStats write;
  Duration host_throttled{};
  Duration target_throttled{};
  std::uint64_t throttled_ios = 0;
};

// One host's multipath head of one namespace: the names its paths share.
struct HeadNames {
  std::string host;
  std::string nqn;
  std::uint32_t nsid = 0;
};

// One (host, namespace, controller) path. Its names are held once in the result (by index): at
// 1,024 hosts, 32,768 rows with their own host, nqn and controller strings were 7 MB of the run's
// peak memory (issue 18).
struct PathResult {
  std::uint32_t head = 0;            // RunResult::heads: the host and namespace
  std::uint32_t controller = 0;      // RunResult::controllers: "<host>/<node>.<port>"
  std::uint64_t ios = 0;             // attempts dispatched in the measured window
  double share = 0;                  // of the namespace's attempts from this host
  std::uint64_t failed_over_ios = 0;  // I/Os moved off this path by a failover (the kernel's count)
  std::uint64_t retries = 0;
  std::uint64_t failover_events = 0;  // times the path lost its I/O: a failover after it had completed one
};

// The latency of every I/O of a group of jobs pooled in one histogram (reads and writes), so a
// namespace's p99 across hosts is the p99 of all their I/Os, not a figure derived from the jobs'.
struct PooledLatency {
  std::string scope;                 // "job" (a job and its numjobs clones), "host", "namespace", "tenant", "run"
  std::string key;                   // job name, host name, "<nqn>/<nsid>", "" for the run
  LatencyStats clat;                 // without buckets (no writer prints a group's)
};

// One interval of one timeline series: completions and their latency.
struct TimelinePoint {
  std::uint64_t completions = 0;
  std::int64_t p50_ns = 0, p99_ns = 0, max_ns = 0;
};

// Per interval and per series (timeline.csv), as a matrix of points, interval-major: series 0 is
// all paths of all hosts, series 1 + c the run's controller c (RunResult::controllers). No name
// or start per point: at 1,024 hosts, 90,123 rows with their own controller strings were 10 MB of
// the run's peak memory (issue 18).
class Timeline {
 public:
  Timeline() = default;
  Timeline(Duration interval, std::size_t series) : interval_(interval), series_(series) {}
  Duration interval() const { return interval_; }
  std::size_t series() const { return series_; }
  std::size_t intervals() const { return series_ ? points_.size() / series_ : 0; }
  Duration start(std::size_t k) const { return origin_ + interval_ * std::int64_t(k); }
  const TimelinePoint& at(std::size_t k, std::size_t s) const { return points_[k * series_ + s]; }
  TimelinePoint& at(std::size_t k, std::size_t s) { return points_[k * series_ + s]; }
  double iops(const TimelinePoint& p) const { return double(p.completions) * 1e9 / double(interval_.count()); }
  void resize(std::size_t intervals) { points_.resize(intervals * series_); }
  // Drops the intervals that start before `t` and moves every start by -t (validate replays a
  // guest run from its workload's start).
  void rebase(Duration t);

 private:
  Duration interval_{};
  Duration origin_{};                // start of interval 0
  std::size_t series_ = 0;
  std::vector<TimelinePoint> points_;  // [k * series_ + s]
};

// One point with its interval's start and its series' name, as timeline.csv prints it (a view:
// `controller` refers into the result).
struct TimelineRow {
  Duration start{};
  const std::string& controller;     // "" = all paths of all hosts
  std::uint64_t completions = 0;
  double iops = 0;
  std::int64_t p50_ns = 0, p99_ns = 0, max_ns = 0;
};

// Faults, controller state changes, ANA changes, failovers (events.csv).
struct EventRow {
  Duration at{};
  std::string kind;                  // "fault", "fault-end", "ctrl-state", "ana", "failover", ...
  std::string subject;               // component or controller
  std::string detail;
};

// Writes that reached the media after a newer write to the same block had been acknowledged
// (sim/write_order.h).
struct GhostWrites {
  std::uint64_t count = 0;           // such writes
  std::uint64_t blocks = 0;          // distinct blocks they hit (per fault: first hit after it)
  Duration worst_window{};           // the longest time from the newer write's ack to the landing
};

struct FaultMeasure {
  std::string label;
  Duration at{};
  Duration end{};                    // end of the fault window (or run end)
  Duration stall{};                  // longest window with no completions, within [at, end + recovery]
  // p99 of the affected hosts' I/Os in flight at any time in [at, end] (submitted before the end,
  // finished after the start), whenever they finished: completed ones with their latency, failed
  // ones with their time to the error, ones still in flight at the run's end with their age then.
  std::int64_t p99_during_ns = 0;
  std::int64_t p99_steady_ns = 0;    // p99 of the measured run outside every fault window
  Duration time_to_detect{-1};       // fault -> first controller/path state change (-1 = none)
  Duration time_to_full_throughput{-1};  // fault end -> IOPS back within 10% of steady (-1 = never)
  bool p99_during_at_least = false;  // an I/O still in flight at the run's end is at or below p99_during
  std::uint64_t ios_during = 0;      // the I/Os p99_during is taken over
  std::uint64_t failed_during = 0;   // of them, failed
  std::uint64_t stuck_during = 0;    // of them, still in flight at the run's end
  GhostWrites ghost_writes;          // landed from this fault's start to the next fault's
};

// Every submitted I/O ends completed, failed (with a reason) or in flight at the end.
struct Ledger {
  std::uint64_t submitted = 0;
  std::uint64_t completed = 0;
  std::uint64_t failed = 0;
  std::uint64_t inflight_at_end = 0;  // queued on a head or on the wire when the run stopped
  std::map<std::string, std::uint64_t> failed_by_reason;
  bool balanced() const { return submitted == completed + failed + inflight_at_end; }
};

// Commands the host gave up on (cancelled by a reset, a keep-alive or I/O timeout, a transport
// error) that the target still held. The host's ledger already counts each of their I/Os once,
// as completed or failed after a retry; this is the target's side, counted apart.
struct AbandonedCommands {
  std::uint64_t landed = 0;          // reached the media after the host had given up on them
  std::uint64_t landed_writes = 0;
  std::uint64_t lost = 0;            // their target node went down first
  std::uint64_t at_media_at_end = 0; // still queued or executing when the run stopped
  std::uint64_t tracked_blocks = 0;  // write-order entries kept (about 48 bytes each)
};

// What the run cost in wall-clock time, for `mpsim bench`: set-up (building the world and
// simulating until the first job submits) apart from the I/O phase, so a per-I/O figure is
// not diluted by connecting thousands of controllers. Varies run to run; no report prints it.
struct RunCost {
  double setup_wall_s = 0;           // World construction to the first job's first submission
  double io_wall_s = 0;              // first submission to the end of the run
  double io_cpu_s = 0;               // the process's CPU time over the same I/O phase
  std::uint64_t events = 0;          // calendar events handled in the whole run
  std::uint64_t events_before_io = 0;
};

struct RunResult {
  std::string scenario;
  std::string policy;                // policy name as given (with params, e.g. "spdk-round-robin(rr_min_io=16)")
  std::uint64_t seed = 0;
  Duration simulated{};
  std::vector<JobResult> jobs;
  std::vector<PooledLatency> pooled;  // per job (clones pooled), host, namespace and the run
  std::vector<TenantResult> tenants;  // only when some job has a tenant
  std::vector<std::string> controllers;  // every controller of the run: paths and timeline series name them by index
  std::vector<HeadNames> heads;       // every host's head of every namespace it connects to
  std::vector<PathResult> paths;
  Timeline timeline;
  std::vector<EventRow> events;
  std::vector<FaultMeasure> faults;
  Ledger ledger;
  AbandonedCommands abandoned;
  GhostWrites ghost_writes;
  std::uint64_t simulated_ios = 0;   // I/O attempts simulated (for ios-per-wall-second figures)
  RunCost cost;

  const HeadNames& head(const PathResult& p) const { return heads[p.head]; }
  const std::string& controller(const PathResult& p) const { return controllers[p.controller]; }
  // "" for series 0 (all paths), else its controller's name.
  const std::string& series_name(std::size_t s) const;
  // Every point, interval by interval, each interval's series in order (timeline.csv's order).
  template <class F>
  void for_each_timeline_row(F&& f) const {
    for (std::size_t k = 0; k < timeline.intervals(); ++k) {
      for (std::size_t s = 0; s < timeline.series(); ++s) {
        const TimelinePoint& p = timeline.at(k, s);
        f(TimelineRow{timeline.start(k), series_name(s), p.completions, timeline.iops(p), p.p50_ns, p.p99_ns, p.max_ns});
      }
    }
  }
};

}  // namespace mpsim::sim
