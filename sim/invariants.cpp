#include "sim/invariants.h"

#include <stdexcept>

#include "sim/host_side.h"
#include "sim/metrics.h"
#include "sim/scenario.h"
#include "sim/transport.h"

namespace mpsim::sim {

std::string event_order_problem(std::int64_t previous, std::int64_t time, std::int64_t end) {
  if (time < previous) return "event in the past: at " + std::to_string(time) + " ns after one at " + std::to_string(previous) + " ns";
  if (time < 0 || time >= end) return "event outside the run [0, " + std::to_string(end) + ") ns";
  return "";
}

std::string ledger_problem(const Ledger& l, std::uint64_t slots_in_use, std::uint64_t held_by_heads) {
  if (l.submitted != l.completed + l.failed + slots_in_use || held_by_heads > slots_in_use) {
    return "ledger does not balance: submitted " + std::to_string(l.submitted) + ", completed " +
           std::to_string(l.completed) + ", failed " + std::to_string(l.failed) + ", slots in use " +
           std::to_string(slots_in_use) + ", held by heads " + std::to_string(held_by_heads);
  }
  return "";
}

std::string finished_once_problem(std::uint64_t finished, std::uint64_t submitted, std::uint64_t left,
                                  std::uint64_t appeared) {
  if (submitted >= appeared && finished == left + (submitted - appeared)) return "";
  return std::to_string(finished) + " I/Os finished and " + std::to_string(submitted) + " were submitted in the ledger, but " +
         std::to_string(left) + " left the pool and " + std::to_string(appeared) +
         " entered it (an I/O finished twice, or without its slot)";
}

std::string per_path_problem(std::uint64_t all_paths, std::uint64_t sum_of_controllers, std::uint64_t completed) {
  if (all_paths == sum_of_controllers && all_paths == completed) return "";
  return "per-path counts do not add up: all paths " + std::to_string(all_paths) + ", sum of controllers " +
         std::to_string(sum_of_controllers) + ", ledger completed " + std::to_string(completed);
}

// A head's legal connections: those of the topology joining its host to its subsystem (the
// transport's connections are the topology's, in its order).
InvariantChecker::InvariantChecker(const Scenario& s, std::int64_t end, const HostSide& hosts,
                                   const Transport& transport, const Metrics& metrics)
    : end_(end), hosts_(hosts), metrics_(metrics), io_in_slot_(hosts.pool().slots().size(), 0) {
  for (const HeadState& h : hosts.heads()) {
    std::vector<bool> legal(transport.size(), false);
    const std::string& host = hosts.hosts()[std::size_t(h.host)].name;
    for (std::uint32_t c = 0; c < transport.size(); ++c) {
      const auto& conn = s.topology.connections(int(c));
      legal[c] = conn.host() == host && conn.nqn() == h.nqn;
    }
    legal_conn_.push_back(std::move(legal));
  }
}

void InvariantChecker::fail(const Event& e, const std::string& problem) const {
  throw std::logic_error("invariant broken after the event at " + std::to_string(e.time) + " ns (type " +
                         std::to_string(e.type) + "): " + problem);
}

// One pass over the pool: slots in use, I/Os that left it during the event, and the path of
// every dispatched one.
std::string InvariantChecker::check_slots() {
  const std::vector<IoSlot>& slots = hosts_.pool().slots();
  std::uint64_t in_use = 0, left = 0, appeared = 0;
  for (std::size_t i = 0; i < slots.size(); ++i) {
    const IoSlot& s = slots[i];
    const std::uint64_t id = s.live ? s.req.id : 0;
    if (io_in_slot_[i] != id) {
      left += io_in_slot_[i] != 0 ? 1 : 0;
      appeared += id != 0 ? 1 : 0;
    }
    io_in_slot_[i] = id;
    if (!s.live) continue;
    ++in_use;
    if (s.last_path == UINT32_MAX) continue;  // not dispatched yet
    const JobRun& job = hosts_.jobs()[s.job];
    const HeadState& head = hosts_.heads()[job.head];
    if (s.last_path >= head.conn_of_path.size() || !legal_conn_[job.head][head.conn_of_path[s.last_path]]) {
      return "I/O " + std::to_string(s.req.id) + " of job " + job.name + " is on path " + std::to_string(s.last_path) +
             ", not a path of " + head.head->name() + " its policy could choose";
    }
  }
  if (in_use + hosts_.pool().free_count() != slots.size()) {
    return "the pool has " + std::to_string(in_use) + " slots in use and " + std::to_string(hosts_.pool().free_count()) +
           " free of " + std::to_string(slots.size());
  }
  std::uint64_t held = 0;
  for (const HeadState& h : hosts_.heads()) held += h.head->queued() + h.head->inflight();
  const Ledger& ledger = hosts_.ledger();
  std::string problem = ledger_problem(ledger, in_use, held);
  if (problem.empty()) {
    problem = finished_once_problem(ledger.completed + ledger.failed - finished_, ledger.submitted - submitted_, left,
                                    appeared);
  }
  finished_ = ledger.completed + ledger.failed;
  submitted_ = ledger.submitted;
  return problem;
}

void InvariantChecker::after_event(const Event& e) {
  std::string problem = event_order_problem(previous_, e.time, end_);
  previous_ = e.time;
  if (problem.empty()) problem = check_slots();
  if (problem.empty()) {
    std::uint64_t controllers = 0;
    for (std::size_t c = 1; c < metrics_.series_count(); ++c) controllers += metrics_.completions(c);
    problem = per_path_problem(metrics_.completions(0), controllers, hosts_.ledger().completed);
  }
  if (!problem.empty()) fail(e, problem);
}

}  // namespace mpsim::sim
