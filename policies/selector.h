// The path-selection interface every policy implements, and the registry that builds one
// from its name and parameters. See policies/README.md for how to add a policy.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "policies/io.h"
#include "policies/path.h"

namespace mpsim::policies {

// Which production stack a policy belongs to: it decides the head's StackRules (stack_rules.h)
// (completion disposition, no-path behaviour), not just the choice of path.
enum class Stack : std::uint8_t { LinuxNative, DmMultipath, Spdk, Research };

struct SelectContext {
  int numa_node = 0;          // node of the submitting CPU
  std::uint32_t thread = 0;   // submitting context (SPDK per-thread channel)
  TimePoint now{};
};

class PathSelector {
 public:
  virtual ~PathSelector() = default;

  // nvme_find_path: the path for this I/O, or nullptr if none is usable. Must only return a
  // path for which path_usable() is true.
  virtual Path* select(const PathList& paths, const IoRequest& io, const SelectContext& ctx) = 0;

  // Bookkeeping hooks; the head calls them around every attempt. on_dispatch follows the
  // choice at once (submit_bio time); on_start comes when the block layer hands the request to
  // the driver (nvme_start_request from queue_rq): at once, or when the submitter's plug is
  // flushed (NamespaceHead::plug), so choices made under one plug do not see each other.
  virtual void on_dispatch(Path& /*p*/, IoRequest& /*io*/, TimePoint /*now*/) {}
  virtual void on_start(Path& /*p*/, IoRequest& /*io*/, TimePoint /*now*/) {}
  virtual void on_complete(Path& /*p*/, IoRequest& /*io*/, TimePoint /*now*/) {}

  // Cache maintenance, mirroring the kernel's refresh triggers.
  virtual void on_path_failed(const Path& /*p*/) {}                          // nvme_failover_req
  virtual void on_path_live(const PathList& /*paths*/, const Path& /*p*/) {} // nvme_mpath_set_live
  virtual void on_paths_changed(const PathList& /*paths*/) {}                // add/remove/ANA/iopolicy

  // Messages the kernel would log while building this selector (e.g. dm's
  // "repeat_count > 1 is deprecated, using 1 instead"); the engine may print them once.
  virtual std::vector<std::string> warnings() const { return {}; }
};

// nvme_mpath_end_request's half of the queue-depth accounting: undo the ctrl->nr_active
// increment if this attempt was counted (dec-if-positive, because a reconnect zeroes the
// counter under in-flight I/O). Safe to call for any I/O under any policy; the head should
// call it on every completion so an iopolicy change cannot leak counts.
void end_active_count(Path& p, IoRequest& io);

std::string_view to_string(Stack s);

struct PolicyConfig {
  std::string name;
  std::map<std::string, std::string> params;
};

// A bad policy name or parameter; what() names the policy and the parameter.
class PolicyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PolicyParam {
  std::string name;
  std::string default_value;
  std::string help;
};

struct PolicyInfo {
  std::string name;
  Stack stack;
  std::string summary;
  std::vector<PolicyParam> params;
  std::function<std::unique_ptr<PathSelector>(const std::map<std::string, std::string>& params)> make;
};

const std::vector<PolicyInfo>& registered_policies();
const PolicyInfo& find_policy(const std::string& name);                  // throws PolicyError
std::unique_ptr<PathSelector> make_selector(const PolicyConfig& config);  // throws PolicyError

}  // namespace mpsim::policies
