// The failover state machine of one namespace seen through N controllers (the kernel's
// struct nvme_ns_head): path choice through a PathSelector, completion disposition
// (nvme_decide_disposition), failover and requeue, no-path queueing (nvme_available_path).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "policies/controller.h"
#include "policies/selector.h"

namespace mpsim::policies {

// Implemented by the caller: where finished I/O goes.
class IoCompletionSink {
 public:
  virtual ~IoCompletionSink() = default;
  // The I/O left the library for good, completed or failed (r.reason says why).
  virtual void finished(IoRequest& io, const IoResult& r) = 0;
};

struct HeadConfig {
  std::string name;                       // e.g. "nvme0n1"
  Stack stack = Stack::LinuxNative;       // failover rules (taken from the policy's registry entry)
  std::uint8_t max_retries = 5;           // nvme_core.max_retries
  std::array<Duration, 3> crdt{};         // controller's CRDT1..3 (100 ms units already applied)
  Duration delayed_removal = Duration(0); // delayed_removal_secs (6.16+); 0 = off
  // dm-multipath: queue_if_no_path / no_path_retry N (checker intervals); SPDK: bdev_retry_count.
  bool dm_queue_if_no_path = false;
  int dm_no_path_retry = 0;               // -1 = queue forever
  Duration dm_polling_interval = 5s;
  std::uint8_t spdk_bdev_retry_count = 3;
};

struct HeadCounters {
  std::uint64_t submitted = 0;
  std::uint64_t completed = 0;
  std::uint64_t failed = 0;
  std::uint64_t requeue_no_usable_path = 0;  // io_requeue_no_usable_path_count
  std::uint64_t fail_no_available_path = 0;  // io_fail_no_available_path_count
  std::uint64_t failovers = 0;
  std::uint64_t retries = 0;
};

class NamespaceHead {
 public:
  NamespaceHead(HeadConfig config, std::unique_ptr<PathSelector> selector, TimerService& timers,
                IoCompletionSink& sink);
  NamespaceHead(const NamespaceHead&) = delete;
  NamespaceHead& operator=(const NamespaceHead&) = delete;
  ~NamespaceHead();

  // Paths are kept in the order they are added (head->list).
  Path& add_path(Controller& ctrl, std::uint32_t ana_grpid, AnaState initial);

  void submit(IoRequest& io);                      // nvme_ns_head_submit_bio
  void complete(IoRequest& io, NvmeStatus status); // from the transport; stale attempts are ignored
  void set_selector(std::unique_ptr<PathSelector> s, Stack stack);  // iopolicy change

  // Called by Controller when its state or a path's ANA state changes.
  void on_path_live(Path& p);         // nvme_mpath_set_live
  void on_paths_changed();            // clear caches, kick the requeue list
  void kick_requeue();                // nvme_kick_requeue_lists

  const std::string& name() const { return config_.name; }
  const HeadConfig& config() const { return config_; }
  const PathList& paths() const { return list_; }
  const HeadCounters& counters() const { return counters_; }
  std::size_t queued() const { return requeue_.size(); }
  std::size_t inflight() const;       // dispatched and not yet completed
  bool available_path() const;        // nvme_available_path

 private:
  HeadConfig config_;
  std::unique_ptr<PathSelector> selector_;
  TimerService& timers_;
  IoCompletionSink& sink_;
  std::vector<std::unique_ptr<Path>> owned_;
  PathList list_;
  std::deque<IoRequest*> requeue_;
  HeadCounters counters_;
};

}  // namespace mpsim::policies
