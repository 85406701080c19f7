// Running a soak case twice and checking what every run must satisfy (see soak.h).
#include <algorithm>
#include <cmath>
#include <map>

#include "experiments/reports.h"
#include "experiments/runner.h"
#include "experiments/soak/soak.h"
#include "topologies/topology.h"

namespace mpsim::experiments::soak {
namespace {

// Every path a run used is a connection from the job's host to its subsystem: a path the
// policy could choose.
void check_paths(const sim::Scenario& s, const sim::RunResult& r, std::vector<std::string>& out) {
  std::map<std::pair<std::string, std::uint32_t>, double> shares;  // (host/nqn, nsid) -> sum
  for (const sim::PathResult& p : r.paths) {
    const sim::HeadNames& head = r.head(p);
    const std::string& controller = r.controller(p);
    const auto slash = controller.find('/');
    const std::string port = slash == std::string::npos ? "" : controller.substr(slash + 1);
    const bool legal = std::any_of(s.topology.connections().begin(), s.topology.connections().end(),
                                   [&](const topology::Connection& c) {
                                     return c.host() == head.host && c.nqn() == head.nqn && c.port() == port;
                                   });
    if (!legal) out.push_back(r.policy + ": I/O on path " + controller + " for " + head.nqn + ", not a connection of " + head.host);
    if (p.ios > 0) shares[{head.host + "/" + head.nqn, head.nsid}] += p.share;
  }
  for (const auto& [key, sum] : shares) {
    if (std::abs(sum - 1.0) > 1e-6) {
      out.push_back(r.policy + ": path shares of " + key.first + " nsid " + std::to_string(key.second) + " sum to " +
                    std::to_string(sum));
    }
  }
}

// Per interval, the controllers' completions add up to the all-paths row.
void check_timeline(const sim::RunResult& r, std::vector<std::string>& out) {
  std::map<std::int64_t, std::pair<std::uint64_t, std::uint64_t>> per_interval;  // start -> (all, sum of controllers)
  r.for_each_timeline_row([&](const sim::TimelineRow& row) {
    auto& [all, sum] = per_interval[row.start.count()];
    (row.controller.empty() ? all : sum) += row.completions;
  });
  for (const auto& [start, counts] : per_interval) {
    if (counts.first != counts.second) {
      out.push_back(r.policy + ": timeline at " + std::to_string(start) + " ns: all paths " + std::to_string(counts.first) +
                    " completions, controllers " + std::to_string(counts.second));
      return;
    }
  }
}

// No event before an earlier one or after the run.
void check_events(const sim::RunResult& r, std::vector<std::string>& out) {
  for (std::size_t i = 0; i < r.events.size(); ++i) {
    const bool backwards = i > 0 && r.events[i].at < r.events[i - 1].at;
    if (backwards || r.events[i].at > r.simulated || r.events[i].at.count() < 0) {
      out.push_back(r.policy + ": event " + std::to_string(i) + " (" + r.events[i].kind + ") out of time order");
      return;
    }
  }
}

// The bytes a user would get: each run's reports, concatenated.
std::string report_bytes(const LoadedExperiment& exp, const std::vector<sim::RunResult>& results) {
  std::string bytes;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const RunReport report{exp.runs[i], results[i]};
    bytes += summary_json(exp, report) + fio_json(report) + timeline_csv(results[i]) + events_csv(results[i]);
  }
  return bytes;
}

}  // namespace

SoakOutcome check_soak_case(const SoakCase& c) {
  SoakOutcome o;
  LoadedExperiment exp;
  try {
    exp = load_experiment_text(c.text, "soak-" + std::to_string(c.seed) + ".textproto", ".");
  } catch (const topology::InputError& e) {
    o.problems.push_back(std::string("the generated case does not load: ") + e.what());
    return o;
  }
  // The engine checks its invariants after every event (sim/invariants.h): a broken one fails
  // the run with the event's time and the reason.
  for (PlannedRun& run : exp.runs) run.scenario.check_invariants = true;
  std::vector<sim::RunResult> first, second;
  try {
    first = run_experiment(exp);
    second = run_experiment(exp);
  } catch (const std::exception& e) {
    o.problems.push_back(std::string("the run failed: ") + e.what());
    return o;
  }
  o.runs = first.size();
  for (const std::string& p : check_results(exp, first)) o.problems.push_back(p);  // the ledger
  for (std::size_t i = 0; i < first.size(); ++i) {
    o.simulated_ios += first[i].simulated_ios;
    o.events += first[i].cost.events + second[i].cost.events;
    check_paths(exp.runs[i].scenario, first[i], o.problems);
    check_timeline(first[i], o.problems);
    check_events(first[i], o.problems);
  }
  if (report_bytes(exp, first) != report_bytes(exp, second)) {
    o.problems.push_back("not deterministic: the same case run twice gave different reports");
  }
  return o;
}

}  // namespace mpsim::experiments::soak
