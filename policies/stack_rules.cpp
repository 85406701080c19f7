// What the stack units may do to their head, and the choice of unit per stack.
#include "policies/stack_rules.h"

#include "policies/controller.h"
#include "policies/namespace_head.h"
#include "policies/selectors/dm_multipath.h"
#include "policies/selectors/params.h"
#include "policies/stacks/dm_rules.h"
#include "policies/stacks/linux_rules.h"
#include "policies/stacks/spdk_rules.h"

namespace mpsim::policies {

StackRules::StackRules(NamespaceHead& head) : head_(head), selectable_(&head.list_) {}

const PathList& StackRules::paths() const { return head_.list_; }
const HeadConfig& StackRules::config() const { return head_.config_; }
HeadCounters& StackRules::counters() { return head_.counters_; }
TimerService& StackRules::timers() const { return head_.timers_; }
PathSelector& StackRules::selector() { return *head_.selector_; }
bool StackRules::disk_live() const { return head_.disk_live_; }
void StackRules::set_disk_live(bool live) { head_.disk_live_ = live; }
void StackRules::set_removed() {
  head_.removed_ = true;
  head_.disk_live_ = false;
}
void StackRules::requeue(IoRequest& io) { head_.requeue(io); }
void StackRules::retry_later(IoRequest& io, Duration delay) { head_.retry_later(io, delay); }
void StackRules::fail(IoRequest& io, FailReason reason) { head_.finish_error(io, NvmeStatus{}, reason); }
void StackRules::kick_requeue() { head_.kick_requeue(); }
void StackRules::cancel_timer(TimerService::TimerId& id) { head_.cancel_timer(id); }

std::unique_ptr<StackRules> make_stack_rules(Stack stack, NamespaceHead& head) {
  switch (stack) {
    case Stack::DmMultipath: return std::make_unique<DmRules>(head);
    case Stack::Spdk: return std::make_unique<SpdkRules>(head);
    case Stack::LinuxNative:
    case Stack::Research: break;
  }
  return std::make_unique<LinuxRules>(head);
}

void apply_policy_options(const PolicyConfig& policy, HeadConfig& config) {
  if (find_policy(policy.name).stack != Stack::DmMultipath) return;
  const auto values = resolved_params(policy);
  const DmDaemonOptions o = dm_daemon_options(ParamReader(policy.name, values));
  config.dm_queue_if_no_path = o.queue_if_no_path;
  config.dm_no_path_retry = o.no_path_retry;
  config.dm_polling_interval = std::chrono::seconds(o.polling_interval_s);
  config.dm_checker_phase = std::chrono::milliseconds(o.checker_phase_ms);
}

bool reconnecting(const Controller& c) {
  return c.state() == ControllerState::Resetting || c.state() == ControllerState::Connecting;
}

}  // namespace mpsim::policies
