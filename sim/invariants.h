// Invariants checked after every event of a run (Scenario::check_invariants: the soak sets it,
// a normal run pays one null-pointer test per event). The World calls after_event() once the
// event and the refills it caused are done; a broken invariant throws std::logic_error naming
// the event's time, so the run fails with the reason instead of a wrong total.
//
//   time       no event before the previous one, before 0 or at/after the end of the run
//   ledger     submitted == completed + failed + slots in use; the heads hold no more than that
//   once       each I/O (its id) leaves the pool exactly once: the ledger's new completions and
//              failures are the I/Os that left a slot during the event plus those submitted and
//              finished within it (an immediate failure: no usable path)
//   paths      every dispatched in-flight I/O is on a path of its own head whose connection joins
//              the job's host to the namespace's subsystem (a path the policy could choose)
//   per path   the per-controller completion counts sum to the all-paths count, which is the
//              ledger's completed count
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/calendar.h"
#include "sim/result.h"

namespace mpsim::sim {

class HostSide;
class Metrics;
class Transport;
struct Scenario;

// The checks as functions of plain numbers (unit-tested apart); "" when the invariant holds.
std::string event_order_problem(std::int64_t previous, std::int64_t time, std::int64_t end);
std::string ledger_problem(const Ledger& ledger, std::uint64_t slots_in_use, std::uint64_t held_by_heads);
// Over one event: I/Os the ledger counts as finished and as submitted, I/Os seen in a slot before
// and not after it, and I/Os seen in a slot after it and not before.
std::string finished_once_problem(std::uint64_t finished, std::uint64_t submitted, std::uint64_t left,
                                  std::uint64_t appeared);
std::string per_path_problem(std::uint64_t all_paths, std::uint64_t sum_of_controllers, std::uint64_t completed);

class InvariantChecker {
 public:
  InvariantChecker(const Scenario& s, std::int64_t end, const HostSide& hosts, const Transport& transport,
                   const Metrics& metrics);
  void after_event(const Event& e);  // throws std::logic_error on the first broken invariant

 private:
  void fail(const Event& e, const std::string& problem) const;
  std::string check_slots();

  std::int64_t end_;
  const HostSide& hosts_;
  const Metrics& metrics_;
  std::vector<std::vector<bool>> legal_conn_;  // [head][transport connection]
  std::vector<std::uint64_t> io_in_slot_;      // the I/O id each slot held after the last event (0 = free)
  std::int64_t previous_ = 0;
  std::uint64_t finished_ = 0;                 // ledger completed + failed after the last event
  std::uint64_t submitted_ = 0;                // ledger submitted after the last event
};

}  // namespace mpsim::sim
