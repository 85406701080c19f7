#include "validate/conformance.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

namespace mpsim::validate {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr std::int64_t kNsPerMs = 1'000'000;

std::int64_t to_ms(sim::Duration d) { return duration_cast<milliseconds>(d).count(); }

bool is_fault_event(const sim::EventRow& e) { return e.kind == "fault" || e.kind == "fault-end"; }

bool is_state_event(const sim::EventRow& e) { return e.kind == "ctrl-state" || e.kind == "ana"; }

bool same_states(const SampleRow& a, const SampleRow& b) {
  for (std::size_t p = 0; p < a.paths.size() && p < b.paths.size(); ++p) {
    if (a.paths[p].ctrl != b.paths[p].ctrl || a.paths[p].ana != b.paths[p].ana) return false;
  }
  return true;
}

std::uint64_t completed(const PathSample& p) { return p.reads + p.writes; }

// Time of the last sample in [from, to) whose states differ from the sample before it; -1 if none.
std::int64_t last_real_change(const SampleTable& s, std::int64_t from_ms, std::int64_t to_ms) {
  std::int64_t last = -1;
  for (std::size_t i = 1; i < s.rows.size(); ++i) {
    const std::int64_t t = s.rows[i].t_ms;
    if (t >= from_ms && t < to_ms && !same_states(s.rows[i], s.rows[i - 1])) last = t;
  }
  return last;
}

// The sampler notes the time, then reads each path's counters in turn: when the one guest CPU
// goes to fio in between, the paths are read far apart (a round-robin sample once showed +211
// I/Os on one path and +1930 on the other) and the next sample comes late. So a window edge is
// the sample in [lo, hi] followed soonest by the next one (earliest or latest of equals);
// rows.size() if none is in range.
std::size_t steadiest_sample(const SampleTable& s, std::int64_t lo, std::int64_t hi, bool earliest) {
  std::size_t best = s.rows.size();
  std::int64_t best_gap = 0;
  for (std::size_t i = 0; i < s.rows.size(); ++i) {
    if (s.rows[i].t_ms < lo || s.rows[i].t_ms > hi) continue;
    const std::int64_t gap = i + 1 < s.rows.size() ? s.rows[i + 1].t_ms - s.rows[i].t_ms : std::numeric_limits<std::int64_t>::max();
    if (best == s.rows.size() || gap < best_gap || (gap == best_gap && !earliest)) {
      best = i;
      best_gap = gap;
    }
  }
  return best;
}

// The simulator's timeline bin length: the step between two bins of the all-paths series.
std::int64_t timeline_interval_ns(const sim::RunResult& sim) {
  if (sim.timeline.intervals() >= 2) return sim.timeline.interval().count();
  return std::max<std::int64_t>(sim.simulated.count(), 1);
}

std::int64_t last_sim_change(const sim::RunResult& sim, const std::vector<std::string>& controllers,
                             std::int64_t from_ms, std::int64_t to_ms) {
  std::int64_t last = -1;
  for (const auto& e : sim.events) {
    const std::int64_t t = e.at.count();
    if (!is_state_event(e) || t < from_ms * kNsPerMs || t >= to_ms * kNsPerMs) continue;
    if (std::find(controllers.begin(), controllers.end(), e.subject) != controllers.end()) last = t;
  }
  return last;
}

// "f1: nvmet.p1 grp 1 inaccessible at 1s: grp 1 change" -> "f1: grp 1 change": the fault's
// number and what this action did (the fault's description is in its stall/detect rows).
std::string short_label(const std::string& detail) {
  const std::size_t first = detail.find(": "), last = detail.rfind(": ");
  if (first == std::string::npos) return detail;
  return detail.substr(0, first) + detail.substr(last);
}

std::string phase_name(const std::vector<PhaseBoundary>& b, std::size_t phase) {
  return phase == 0 ? "before faults" : "after " + b[phase - 1].label;
}

bool too_short(const std::string& choice) { return choice.rfind("too short", 0) == 0; }

// numa puts everything on one path; the others (dm's selectors too) split it.
bool judges_split(const std::string& policy) {
  return policy == "round-robin" || policy == "queue-depth" || policy.rfind("dm-", 0) == 0;
}

double share_of(const PhaseWindow& w, std::size_t path) {
  const std::uint64_t total = w.total();
  return total ? static_cast<double>(w.ios[path]) / static_cast<double>(total) : 0.0;
}

void add_phase_rows(const std::string& phase, const PhaseWindow& real, const PhaseWindow& sim, const RealRun& run,
                    std::vector<CompareRow>& rows) {
  std::vector<std::string> ports;
  for (const auto& p : run.paths) ports.push_back(p.port);
  const std::string rc = phase_choice(real, ports), sc = phase_choice(sim, ports);
  rows.push_back({"path choice " + phase, 0, 0, "exact", rc == sc && !too_short(rc) && !too_short(sc), rc, sc});
  if (!judges_split(run.policy) || real.total() < kMinWindowIos || sim.total() < kMinWindowIos || too_short(rc) ||
      too_short(sc)) {
    return;
  }
  for (std::size_t i = 0; i < ports.size(); ++i) {
    const double r = share_of(real, i) * 100.0, s = share_of(sim, i) * 100.0;
    rows.push_back({"share " + ports[i] + " " + phase, r, s, "3pp", std::fabs(r - s) <= kSplitTolerancePp, "", ""});
  }
}

}  // namespace

std::uint64_t PhaseWindow::total() const {
  std::uint64_t sum = 0;
  for (auto n : ios) sum += n;
  return sum;
}

std::vector<PhaseBoundary> phase_boundaries(const sim::RunResult& sim) {
  std::vector<PhaseBoundary> out;
  for (const auto& e : sim.events) {
    if (!is_fault_event(e)) continue;
    const std::int64_t at = to_ms(e.at);
    if (out.empty() || out.back().planned_ms != at) {
      out.push_back({short_label(e.detail), at, 1});
    } else {
      out.back().label += " + " + short_label(e.detail);
      ++out.back().actions;
    }
  }
  return out;
}

namespace {

std::vector<std::int64_t> fault_lines(const std::vector<FaultRecord>& actions) {
  std::vector<std::int64_t> lines;
  for (const auto& r : actions) {
    if (is_fault_action(r)) lines.push_back(r.t_ms);
  }
  return lines;
}

// The guest runs the actions in plan order, one line each: when the counts match, boundary k owns
// the next `actions` lines. Empty when they do not pair up.
std::vector<std::pair<std::int64_t, std::int64_t>> paired_lines(const std::vector<PhaseBoundary>& b,
                                                                const std::vector<std::int64_t>& lines) {
  std::size_t expected = 0;
  for (const auto& x : b) expected += x.actions;
  if (lines.size() != expected) return {};
  std::vector<std::pair<std::int64_t, std::int64_t>> out;  // (first, last) line of each boundary
  std::size_t next = 0;
  for (const auto& x : b) {
    const auto first = lines.begin() + std::ptrdiff_t(next), end = first + std::ptrdiff_t(x.actions);
    out.emplace_back(*first, *std::max_element(first, end));
    next += x.actions;
  }
  return out;
}

}  // namespace

std::vector<std::int64_t> first_action_times(const std::vector<PhaseBoundary>& b, const std::vector<FaultRecord>& actions,
                                             std::int64_t io_start_ms) {
  const auto paired = paired_lines(b, fault_lines(actions));
  if (paired.empty()) return applied_boundaries(b, actions, io_start_ms);
  std::vector<std::int64_t> out;
  for (const auto& [first, last] : paired) out.push_back(first);
  return out;
}

// Paired lines are the guest's own times, even one before the simulator's boundary (which replays
// the fault's first action lag for all its actions; a later action can lag less).
std::vector<std::int64_t> applied_boundaries(const std::vector<PhaseBoundary>& b, const std::vector<FaultRecord>& actions,
                                             std::int64_t io_start_ms) {
  const std::vector<std::int64_t> lines = fault_lines(actions);
  std::vector<std::int64_t> out;
  const auto paired = paired_lines(b, lines);
  for (const auto& [first, last] : paired) out.push_back(last);
  if (!paired.empty()) return out;
  std::vector<bool> seen(b.size(), false);
  for (const auto& x : b) out.push_back(io_start_ms + x.planned_ms);
  for (std::int64_t t : lines) {
    std::size_t owner = b.size();
    for (std::size_t k = 0; k < b.size(); ++k) {
      if (io_start_ms + b[k].planned_ms <= t) owner = k;
    }
    if (owner == b.size()) continue;
    out[owner] = seen[owner] ? std::max(out[owner], t) : t;
    seen[owner] = true;
  }
  return out;
}

PhaseWindow real_phase_window(const SampleTable& s, std::int64_t search_from_ms, std::int64_t applied_ms,
                              std::int64_t to_ms) {
  PhaseWindow w;
  w.ios.assign(s.paths.size(), 0);
  const std::int64_t settled = std::max(applied_ms, last_real_change(s, search_from_ms, to_ms)) + kSettleMarginMs;
  w.from_ms = w.to_ms = settled;
  std::size_t a = steadiest_sample(s, settled, settled + kEdgeSearchMs, true);
  std::size_t b = steadiest_sample(s, to_ms - kEdgeSearchMs, to_ms, false);
  // A sampler slower than the search span (a loaded host: 40-140 ms apart) may have no sample in
  // it: the window then starts at the first sample after the settle.
  if (a == s.rows.size()) {
    for (std::size_t i = 0; i < s.rows.size() && a == s.rows.size(); ++i) {
      if (s.rows[i].t_ms >= settled) a = i;
    }
  }
  // A fault action (a fork of tc or ip) starves the sampler until it took effect: the window then
  // ends at the last sample before it.
  if (b == s.rows.size()) {
    for (std::size_t i = 0; i < s.rows.size() && s.rows[i].t_ms <= to_ms; ++i) b = i;
  }
  if (a == s.rows.size() || b == s.rows.size() || b <= a) return w;
  w.from_ms = s.rows[a].t_ms;
  w.to_ms = s.rows[b].t_ms;
  for (std::size_t p = 0; p < w.ios.size(); ++p) {
    const std::uint64_t start = completed(s.rows[a].paths[p]), end = completed(s.rows[b].paths[p]);
    w.ios[p] = end >= start ? end - start : end;  // a path device that came back counts from zero
  }
  return w;
}

PhaseWindow sim_phase_window(const sim::RunResult& sim, const std::vector<std::string>& controllers,
                             std::int64_t from_ms, std::int64_t to_ms) {
  PhaseWindow w;
  w.ios.assign(controllers.size(), 0);
  const std::int64_t settled_ns =
      std::max(from_ms * kNsPerMs, last_sim_change(sim, controllers, from_ms, to_ms)) + kSettleMarginMs * kNsPerMs;
  const std::int64_t iv = timeline_interval_ns(sim);
  const std::int64_t first = (settled_ns + iv - 1) / iv, end = to_ms * kNsPerMs / iv;  // bins [first, end)
  w.from_ms = w.to_ms = settled_ns / kNsPerMs;
  if (end <= first) return w;
  w.from_ms = first * iv / kNsPerMs;
  w.to_ms = end * iv / kNsPerMs;
  sim.for_each_timeline_row([&](const sim::TimelineRow& row) {
    const std::int64_t k = row.start.count() / iv;
    if (k < first || k >= end) return;
    auto it = std::find(controllers.begin(), controllers.end(), row.controller);
    if (it != controllers.end()) w.ios[static_cast<std::size_t>(it - controllers.begin())] += row.completions;
  });
  return w;
}

std::string phase_choice(const PhaseWindow& w, const std::vector<std::string>& ports) {
  const std::uint64_t total = w.total();
  if (w.length_ms() < kMinWindowMs || (total > 0 && total < kMinWindowIos)) {
    return "too short (" + std::to_string(w.length_ms()) + " ms, " + std::to_string(total) + " I/Os)";
  }
  if (total == 0) return "none";
  std::string out;
  for (std::size_t i = 0; i < ports.size() && i < w.ios.size(); ++i) {
    if (share_of(w, i) >= kChosenShare) out += (out.empty() ? "" : "+") + ports[i];
  }
  return out;
}

std::vector<CompareRow> conformance_rows(const RealRun& real, const sim::RunResult& sim) {
  const std::vector<PhaseBoundary> b = phase_boundaries(sim);
  if (b.empty()) return {};
  std::int64_t io_start = 0;
  for (const auto& r : real.actions) {
    if (r.action == "io_start") io_start = r.t_ms;
  }
  const std::vector<std::int64_t> applied = applied_boundaries(b, real.actions, io_start);
  const std::vector<std::int64_t> began = first_action_times(b, real.actions, io_start);
  std::vector<std::string> controllers;
  for (const auto& p : real.paths) controllers.push_back(p.controller);
  const std::int64_t sim_from = real.measure_from_ms - io_start, sim_end = to_ms(sim.simulated);
  std::vector<CompareRow> rows;
  for (std::size_t phase = 0; phase <= b.size(); ++phase) {
    const bool last = phase == b.size();
    const std::int64_t planned_from = phase == 0 ? sim_from : b[phase - 1].planned_ms;
    const std::int64_t planned_to = last ? sim_end : b[phase].planned_ms;
    // A phase ends before the guest's next action first took effect, if that came before the
    // simulator's boundary (which replays each fault at its first action's lag; a later action,
    // or the second of a group, can lag less). The action's line is written just after its
    // effect, so the sampler may show the effect a little before it: a settle margin earlier.
    const std::int64_t real_to =
        last ? real.measure_to_ms
             : std::min({real.measure_to_ms, io_start + planned_to, began[phase] - kSettleMarginMs});
    const std::int64_t real_applied = phase == 0 ? real.measure_from_ms : applied[phase - 1];
    PhaseWindow rw = real_phase_window(real.samples, io_start + planned_from, real_applied, real_to);
    PhaseWindow sw = sim_phase_window(sim, controllers, planned_from, planned_to);
    add_phase_rows(phase_name(b, phase), rw, sw, real, rows);
  }
  return rows;
}

bool is_phase_measure(const std::string& measure) {
  if (measure.rfind("path choice ", 0) == 0) return true;
  if (measure.rfind("share ", 0) != 0) return false;
  const std::size_t phase = measure.find(' ', 6);  // after "share <port>"
  return phase != std::string::npos &&
         (measure.compare(phase, 14, " before faults") == 0 || measure.compare(phase, 7, " after ") == 0);
}

}  // namespace mpsim::validate
