// What a run measures besides the per-job latency histograms: the per-interval timeline (all
// paths and per controller), per-fault measures (stall, p99 during vs steady, time to detect,
// time back to full throughput) and the events list.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/histogram.h"
#include "sim/result.h"

namespace mpsim::sim {

// One timeline series (all paths, or one controller): the open interval's latency histogram.
// Closed intervals go into the run's Timeline matrix (sim/result.h), sized for the run's
// intervals up front, which finish() hands to the result as it is.
struct TimelineSeries {
  Histogram hist{5, 42};
  std::int64_t current = 0;          // the open interval
  std::uint64_t total = 0;           // completions so far (sim/invariants.h)
};

struct FaultTrack {
  std::string label;
  std::int64_t at = 0, end = 0;
  std::vector<bool> hosts;           // affected hosts
  std::vector<bool> conns;           // affected controllers
  std::int64_t last_completion = 0;  // of an affected host, from `at`
  std::vector<std::pair<std::int64_t, std::int64_t>> gaps;  // (start, end) of silences >= 1 ms
  std::int64_t window_gap = 0;       // longest silence ending inside [at, end], exact
  std::int64_t detected = -1;
  Histogram during{6, 42};           // every affected I/O in flight at some time in [at, end]
  std::uint64_t failed = 0, stuck = 0;
  std::int64_t youngest_stuck = -1;  // smallest age at the run's end of a stuck one
};

class Metrics {
 public:
  Metrics(std::size_t hosts, std::size_t conns, std::int64_t interval_ns, std::int64_t measure_from,
          std::int64_t measure_to, std::vector<std::string> conn_names, std::int64_t end = 0);

  void add_fault(FaultTrack f) { faults_.push_back(std::move(f)); }
  void completion(std::int64_t now, int host, std::uint32_t conn, std::int64_t latency_ns);
  // An I/O that ended in an error after `latency_ns` (the time its job waited for it).
  void failure(std::int64_t now, int host, std::int64_t latency_ns);
  // At the end, before finish(): an I/O still in flight, submitted at `issued`.
  void in_flight_at_end(std::int64_t end, int host, std::int64_t issued);
  // An I/O of head `head` left its path `from` for another: the first since that path last
  // completed an I/O starts a failover event (a failover moves many I/Os at once).
  void moved_off(std::uint32_t head, std::uint32_t from);
  void served(std::uint32_t head, std::uint32_t path) {  // an I/O completed on the path
    if (open_episodes_ > 0) close_episode(head, path);
  }
  std::uint64_t failover_events(std::uint32_t head, std::uint32_t path) const;
  // Completions so far of series 0 (all paths) or 1 + conn (sim/invariants.h).
  std::size_t series_count() const { return series_.size(); }
  std::uint64_t completions(std::size_t series) const { return series_[series].total; }
  void controller_changed(std::int64_t now, std::uint32_t conn);
  void event(std::int64_t now, std::string kind, std::string subject, std::string detail);

  // Fills controllers, timeline, events and faults of `r` for a run that ended at `end`: the
  // run's last use of the metrics (the timeline series are freed; completions() has none left).
  void finish(std::int64_t end, RunResult& r);

 private:
  void add_to_series(std::size_t s, std::int64_t interval, std::int64_t latency_ns);
  // Closes every interval of series `s` before `intervals` (empty ones too) into the timeline.
  void close_until(std::size_t s, std::int64_t intervals);
  bool in_fault_window(std::int64_t t) const;
  void close_episode(std::uint32_t head, std::uint32_t path);
  FaultMeasure measure(const FaultTrack& f, std::int64_t end) const;
  double steady_rate(const FaultTrack& f) const;

  std::int64_t interval_;
  std::int64_t from_, to_;
  std::vector<std::string> conn_names_;                  // series 1 + c is conn_names_[c]'s
  std::vector<TimelineSeries> series_;                   // [0] = all, [1 + conn]
  Timeline timeline_;                                    // the closed intervals
  std::vector<std::vector<std::uint32_t>> host_counts_;  // per host, per interval
  std::vector<FaultTrack> faults_;
  std::vector<EventRow> events_;
  Histogram steady_{6, 42};
  struct Episodes {
    std::vector<bool> open;          // per path: lost its I/O, has not completed one since
    std::vector<std::uint64_t> events;
  };
  std::vector<Episodes> episodes_;   // per head, grown on the first failover
  std::uint64_t open_episodes_ = 0;
};

}  // namespace mpsim::sim
