// The rules where Linux native multipath, dm-multipath and SPDK bdev_nvme differ, as one
// small strategy per stack: what a failed attempt leads to, which paths the selector may
// choose from, what happens to I/O when no path is chosen, and what each stack keeps per path.
// A NamespaceHead builds its rules once, from HeadConfig::stack (the policy's registry entry),
// and asks them through the decision functions below; it never looks at the stack itself.
//
// Units: stacks/linux_rules.* (Linux native and the research policies), stacks/dm_rules.*,
// stacks/spdk_rules.*. Each keeps the state only its stack has (dm's failed paths, SPDK's
// ANATT clocks, Linux's delayed removal) and the timers that go with it.
#pragma once

#include <cstdint>
#include <memory>

#include "policies/disposition.h"
#include "policies/io.h"
#include "policies/path.h"
#include "policies/selector.h"
#include "policies/timer.h"

namespace mpsim::policies {

class NamespaceHead;
struct HeadConfig;
struct HeadCounters;

class StackRules {
 public:
  explicit StackRules(NamespaceHead& head);
  StackRules(const StackRules&) = delete;
  StackRules& operator=(const StackRules&) = delete;
  virtual ~StackRules() = default;

  // Whether these rules are the ones a policy of stack `s` runs under (an iopolicy change
  // keeps the rules, and their state, when they are).
  virtual bool serves(Stack s) const = 0;

  // ---- choosing a path
  // The paths the selector is offered, in head->list order. Asked on every I/O, so not virtual:
  // a unit that offers fewer paths than the head has points selectable_ at its own list.
  const PathList& selectable() const { return *selectable_; }

  // ---- a finished attempt whose status is not success
  virtual Disposition disposition(const NvmeStatus& status, std::uint8_t retries) const = 0;
  // A request waiting for a tag after a retry is committed to its path (nvme_retry_req).
  virtual bool retry_keeps_path() const = 0;
  // An ANA status marks the path ANA-pending and re-reads the log (nvme_failover_req).
  virtual bool ana_error_updates_path() const = 0;
  // A failover keeps the retries already spent (the retry count lives in the request).
  virtual bool failover_keeps_retries() const = 0;
  // A failover finishes the I/O with its error instead of requeueing it.
  virtual bool failover_gives_up() const = 0;
  // Disposition::FailPath: take the path out of service (dm fail_path).
  virtual void fail_path(Path& /*p*/) {}

  // ---- no path chosen
  // Whether I/O without a path waits for one (nvme_available_path and its equivalents).
  virtual bool available_path() const = 0;
  // The I/O found no path: queue it, retry it later, or fail it.
  virtual void no_path(IoRequest& io) = 0;

  // ---- notifications, each after the head has done its own part
  virtual void on_path_added(Path& /*p*/) {}
  virtual void on_path_live(Path& /*p*/) {}  // before the selector hears of it
  virtual void on_paths_changed() {}         // after the selector heard of it

 protected:
  NamespaceHead& head_;
  const PathList* selectable_;

  // What a unit may do to its head (the head befriends StackRules only, so these forward).
  const PathList& paths() const;
  const HeadConfig& config() const;
  HeadCounters& counters();
  TimerService& timers() const;
  PathSelector& selector();
  bool disk_live() const;
  void set_disk_live(bool live);
  void set_removed();
  void requeue(IoRequest& io);                     // onto the requeue list (not kicked)
  void retry_later(IoRequest& io, Duration delay); // routed again after delay
  void fail(IoRequest& io, FailReason reason);     // finished with an error, no NVMe status
  void kick_requeue();
  void cancel_timer(TimerService::TimerId& id);
};

// The one place a stack becomes rules: Linux native and research policies get LinuxRules.
std::unique_ptr<StackRules> make_stack_rules(Stack stack, NamespaceHead& head);

// The head options a policy's parameters carry for its stack (dm: no_path_retry and
// polling_interval, multipathd's settings); other stacks take theirs from elsewhere.
void apply_policy_options(const PolicyConfig& policy, HeadConfig& config);  // throws PolicyError

// Shared by the units: the controller is trying to come back (RESETTING or CONNECTING).
bool reconnecting(const Controller& c);

}  // namespace mpsim::policies
