#include "sim/metrics.h"

#include <algorithm>
#include <utility>

namespace mpsim::sim {

namespace {
// Silences at least this long are remembered one by one (the recovery point that bounds the
// stall is known only at the end); shorter ones only as the exact maximum inside the window.
constexpr std::int64_t kGapNs = 1'000'000;
}

Metrics::Metrics(std::size_t hosts, std::size_t conns, std::int64_t interval_ns, std::int64_t measure_from,
                 std::int64_t measure_to, std::vector<std::string> conn_names, std::int64_t end)
    : interval_(interval_ns), from_(measure_from), to_(measure_to), conn_names_(std::move(conn_names)),
      series_(conns + 1), timeline_(Duration(interval_ns), conns + 1), host_counts_(hosts) {
  timeline_.resize(std::size_t(std::max<std::int64_t>(0, (end + interval_ns - 1) / interval_ns)));
}

void Metrics::add_to_series(std::size_t s, std::int64_t interval, std::int64_t latency_ns) {
  close_until(s, interval);
  series_[s].hist.add(latency_ns);
  ++series_[s].total;
}

void Metrics::close_until(std::size_t s, std::int64_t intervals) {
  TimelineSeries& series = series_[s];
  if (series.current >= intervals) return;
  if (timeline_.intervals() < std::size_t(intervals)) timeline_.resize(std::size_t(intervals));  // past the planned end
  for (; series.current < intervals; ++series.current) {
    const Histogram& h = series.hist;
    timeline_.at(std::size_t(series.current), s) = TimelinePoint{h.count(), h.percentile(50), h.percentile(99), h.max()};
    series.hist.clear();
  }
}

bool Metrics::in_fault_window(std::int64_t t) const {
  for (const auto& f : faults_) {
    if (t >= f.at && t <= f.end) return true;
  }
  return false;
}

void Metrics::completion(std::int64_t now, int host, std::uint32_t conn, std::int64_t latency_ns) {
  const std::int64_t interval = now / interval_;
  add_to_series(0, interval, latency_ns);
  add_to_series(1 + conn, interval, latency_ns);
  auto& counts = host_counts_[host];
  const auto k = static_cast<std::size_t>(interval);
  if (counts.size() <= k) counts.resize(k + 1, 0);
  ++counts[k];
  if (now >= from_ && now < to_ && !in_fault_window(now)) steady_.add(latency_ns);
  for (auto& f : faults_) {
    if (now < f.at || !f.hosts[host]) continue;
    if (now - f.last_completion >= kGapNs) f.gaps.emplace_back(f.last_completion, now);
    if (now <= f.end) f.window_gap = std::max(f.window_gap, now - f.last_completion);
    if (now - latency_ns <= f.end) f.during.add(latency_ns);  // in flight during the window
    f.last_completion = now;
  }
}

void Metrics::failure(std::int64_t now, int host, std::int64_t latency_ns) {
  for (auto& f : faults_) {
    if (now < f.at || now - latency_ns > f.end || !f.hosts[host]) continue;
    f.during.add(latency_ns);
    ++f.failed;
  }
}

void Metrics::in_flight_at_end(std::int64_t end, int host, std::int64_t issued) {
  const std::int64_t age = end - issued;
  for (auto& f : faults_) {
    if (issued > f.end || !f.hosts[host]) continue;
    f.during.add(age);
    ++f.stuck;
    if (f.youngest_stuck < 0 || age < f.youngest_stuck) f.youngest_stuck = age;
  }
}

void Metrics::moved_off(std::uint32_t head, std::uint32_t from) {
  if (episodes_.size() <= head) episodes_.resize(head + 1);
  Episodes& e = episodes_[head];
  if (e.open.size() <= from) e.open.resize(from + 1, false), e.events.resize(from + 1, 0);
  if (e.open[from]) return;
  e.open[from] = true;
  ++e.events[from];
  ++open_episodes_;
}

void Metrics::close_episode(std::uint32_t head, std::uint32_t path) {
  if (head >= episodes_.size() || path >= episodes_[head].open.size() || !episodes_[head].open[path]) return;
  episodes_[head].open[path] = false;
  --open_episodes_;
}

std::uint64_t Metrics::failover_events(std::uint32_t head, std::uint32_t path) const {
  if (head >= episodes_.size() || path >= episodes_[head].events.size()) return 0;
  return episodes_[head].events[path];
}

void Metrics::controller_changed(std::int64_t now, std::uint32_t conn) {
  for (auto& f : faults_) {
    if (now >= f.at && f.detected < 0 && f.conns[conn]) f.detected = now;
  }
}

void Metrics::event(std::int64_t now, std::string kind, std::string subject, std::string detail) {
  events_.push_back(EventRow{Duration(now), std::move(kind), std::move(subject), std::move(detail)});
}

// Mean completions per interval of the fault's hosts, over measured intervals untouched by any fault.
double Metrics::steady_rate(const FaultTrack& f) const {
  double sum = 0;
  int n = 0;
  for (std::int64_t k = (from_ + interval_ - 1) / interval_; (k + 1) * interval_ <= to_; ++k) {
    bool clean = true;
    for (const auto& g : faults_) clean = clean && ((k + 1) * interval_ <= g.at || k * interval_ > g.end + interval_);
    if (!clean) continue;
    for (std::size_t h = 0; h < host_counts_.size(); ++h) {
      if (f.hosts[h] && std::size_t(k) < host_counts_[h].size()) sum += host_counts_[h][k];
    }
    ++n;
  }
  return n ? sum / n : -1;
}

FaultMeasure Metrics::measure(const FaultTrack& f, std::int64_t end) const {
  FaultMeasure m;
  m.label = f.label;
  m.at = Duration(f.at);
  m.end = Duration(f.end);
  m.p99_during_ns = f.during.percentile(99);
  m.p99_during_at_least = f.stuck > 0 && m.p99_during_ns >= f.youngest_stuck;
  m.ios_during = f.during.count();
  m.failed_during = f.failed;
  m.stuck_during = f.stuck;
  m.p99_steady_ns = steady_.percentile(99);
  if (f.detected >= 0) m.time_to_detect = Duration(f.detected - f.at);
  const double steady = steady_rate(f);
  for (std::int64_t k = (f.end + interval_ - 1) / interval_; steady > 0 && (k + 1) * interval_ <= end; ++k) {
    double count = 0;
    for (std::size_t h = 0; h < host_counts_.size(); ++h) {
      if (f.hosts[h] && std::size_t(k) < host_counts_[h].size()) count += host_counts_[h][k];
    }
    if (count >= 0.9 * steady) {
      m.time_to_full_throughput = Duration(k * interval_ - f.end);
      break;
    }
  }
  const std::int64_t recovery =
      m.time_to_full_throughput.count() >= 0 ? f.end + m.time_to_full_throughput.count() : end;
  // A silence that began before recovery ends inside the recovery interval at the latest (that
  // interval has completions), so it counts to its end: cut at the interval's start, a stall
  // that ended a few us into it read as less than it was.
  std::int64_t stall = f.window_gap;
  for (const auto& [s, e] : f.gaps) {
    if (s < recovery) stall = std::max(stall, e - std::max(s, f.at));
  }
  if (f.last_completion < recovery) stall = std::max(stall, recovery - std::max(f.last_completion, f.at));
  m.stall = Duration(stall);
  return m;
}

void Metrics::finish(std::int64_t end, RunResult& r) {
  const std::int64_t n = (end + interval_ - 1) / interval_;
  for (std::size_t s = 0; s < series_.size(); ++s) close_until(s, n);
  std::vector<TimelineSeries>().swap(series_);  // their open histograms are done with
  timeline_.resize(std::size_t(n));  // a run stopped before its planned end has fewer intervals
  // finish() is the run's last use of the timeline, the names and the events: moved, not copied,
  // so the result adds nothing to the run's memory at its peak.
  r.timeline = std::move(timeline_);
  r.controllers = std::move(conn_names_);
  std::stable_sort(events_.begin(), events_.end(), [](const EventRow& a, const EventRow& b) { return a.at < b.at; });
  r.events = std::move(events_);
  events_.clear();
  for (const auto& f : faults_) r.faults.push_back(measure(f, end));
}

}  // namespace mpsim::sim
