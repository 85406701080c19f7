// The failover state machine of one namespace seen through N controllers (the kernel's
// struct nvme_ns_head): path choice through a PathSelector, completion disposition, failover
// and requeue, delayed retries, tag waits and the block plug. Where Linux, dm-multipath and SPDK
// differ (disposition, no-path handling, which paths are offered) the head asks its StackRules
// (stack_rules.h), built once from HeadConfig::stack.
//
// How an engine drives the library (all calls from one thread, in event order):
//   1. Controller c(name, ControllerConfig, timers, transport, &observer)   one per connection
//      NamespaceHead h(HeadConfig{.stack = find_policy(name).stack}, make_selector(cfg), timers, sink)
//      h.add_path(c, ana_grpid, initial_state)                             per (namespace, controller)
//   2. c.start() -> transport.connect(c); answer later with c.on_connect_done(ok, ana_log).
//      The head accepts I/O once a path has gone live (h.live()); before that submit() fails
//      with NoAvailablePath, as the kernel has no nvmeXnY yet.
//   3. h.submit(io) -> transport.dispatch(io) with io.path set; answer with
//      io.path->head->complete(io, status [, attempt seen at dispatch]).
//   4. Engine events: c.on_keep_alive_done(), c.on_ana_log(log), c.on_ana_change_notice() (AEN),
//      c.on_transport_error() (RST / socket error / local link down); host actions: c.reset(),
//      c.remove(). transport.disconnect(c) means: drop every in-flight attempt of c silently.
//   5. Everything else (keep-alive, I/O timeout, ANATT, reconnect, failfast, retries, requeue)
//      runs from TimerService callbacks. Finished I/O leaves through sink.finished(io, result);
//      the sink may submit new I/O from inside that call.
// Memory per I/O is the caller's IoRequest only; queued I/O costs one pointer in a list (a map
// node while it waits out a retry delay). Destroy heads and controllers only when idle.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "policies/controller.h"
#include "policies/fifo.h"
#include "policies/kernel_defaults.h"
#include "policies/selector.h"

namespace mpsim::policies {

// Implemented by the caller: where finished I/O goes.
class IoCompletionSink {
 public:
  virtual ~IoCompletionSink() = default;
  // The I/O left the library for good, completed or failed (r.reason says why).
  virtual void finished(IoRequest& io, const IoResult& r) = 0;
};

// The head's options. Each stack's rules read their own (stacks/*_rules.*); the others ignore them.
struct HeadConfig {
  std::string name;                       // e.g. "nvme0n1"
  Stack stack = Stack::LinuxNative;       // which StackRules (taken from the policy's registry entry)
  std::array<Duration, 3> crdt{};         // controller's CRDT1..3 (100 ms units already applied)
  // Linux native (stacks/linux_rules.*)
  std::uint8_t max_retries = kernel_defaults::kMaxRetries;          // nvme_core.max_retries
  Duration delayed_removal = kernel_defaults::kDelayedRemoval;      // delayed_removal_secs (6.16+); 0 = off
  // dm-multipath (stacks/dm_rules.*): queue_if_no_path / no_path_retry N (checker intervals), multipathd's clock
  bool dm_queue_if_no_path = false;       // features "1 queue_if_no_path"
  int dm_no_path_retry = 0;               // -1 = queue forever
  Duration dm_polling_interval = 5s;      // multipathd polling_interval (DEFAULT_CHECKINT)
  Duration dm_checker_phase{0};           // a tick of multipathd's checker loop that checks paths
  // SPDK (stacks/spdk_rules.*)
  std::uint8_t spdk_bdev_retry_count = 3; // bdev_nvme_set_options bdev_retry_count
  // Every stack: a CQT-like wait before a cancelled write is retried elsewhere (failover_delay.h);
  // 0 = the kernel's behaviour, requeued at once.
  Duration failover_delay{0};
};

struct HeadCounters {
  std::uint64_t submitted = 0;
  std::uint64_t completed = 0;
  std::uint64_t failed = 0;
  std::uint64_t requeue_no_usable_path = 0;  // io_requeue_no_usable_path_count
  std::uint64_t fail_no_available_path = 0;  // io_fail_no_available_path_count
  std::uint64_t failovers = 0;
  std::uint64_t failovers_delayed = 0;       // writes held back by failover_delay
  std::uint64_t retries = 0;
  std::uint64_t stale_completions = 0;       // completions for an attempt already cancelled
  std::uint64_t dm_path_failures = 0;        // dm fail_path (dm-multipath only)
  std::uint64_t dm_path_reinstates = 0;      // multipathd reinstate_path (dm-multipath only)
};

class StackRules;

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
  // blk_start_plug / blk_finish_plug around one batch of submissions (fs/aio.c plugs an
  // io_submit of more than AIO_PLUG_THRESHOLD = 2 iocbs). Under a plug an attempt is chosen and
  // holds its tag, but reaches its controller (selector on_start = nvme_start_request, then
  // transport.dispatch) only when unplug() flushes the plug, in submission order. Not nested.
  void plug();
  void unplug();
  bool plugged() const { return plugged_; }
  void complete(IoRequest& io, NvmeStatus status); // from the transport; stale attempts are ignored
  // Same, for a transport that remembers io.attempt at dispatch: an answer for an older attempt
  // (cancelled and re-dispatched meanwhile) is ignored even on the same controller.
  void complete(IoRequest& io, NvmeStatus status, std::uint32_t attempt);
  // iopolicy change. The stack rules (and their state) stay when they serve `stack`, else new
  // ones start from the paths as they are.
  void set_selector(std::unique_ptr<PathSelector> s, Stack stack);

  // Called by Controller when its state or a path's ANA state changes.
  void on_path_live(Path& p);         // nvme_mpath_set_live
  void on_paths_changed();            // clear caches, kick the requeue list
  void kick_requeue();                // nvme_kick_requeue_lists (runs from a 0-delay timer)
  void resume_tag_wait(IoRequest& io);  // a tag freed on io.path's controller
  void abort_tag_wait(IoRequest& io);   // the controller tore its queues down first

  const std::string& name() const { return config_.name; }
  const HeadConfig& config() const { return config_; }
  const PathList& paths() const { return list_; }
  const HeadCounters& counters() const { return counters_; }
  std::size_t queued() const { return requeue_.size(); }
  std::size_t inflight() const;       // dispatched (plugged or started) and not yet completed
  std::size_t delayed() const { return delayed_.size(); }         // waiting out a retry delay
  std::size_t waiting_for_tag() const { return tag_waiting_; }   // committed to a full controller
  // Everything submitted and not yet finished: queued + inflight + delayed + waiting_for_tag.
  std::size_t outstanding() const { return queued() + inflight() + delayed() + waiting_for_tag(); }
  bool available_path() const;        // nvme_available_path: no-path I/O waits (per the stack's rules)
  bool live() const { return disk_live_; }  // NVME_NSHEAD_DISK_LIVE: a path has gone live once
  bool removed() const { return removed_; } // delayed removal expired

 private:
  friend class StackRules;  // the stack units act on the head through StackRules' helpers

  HeadConfig config_;
  std::unique_ptr<PathSelector> selector_;
  TimerService& timers_;
  IoCompletionSink& sink_;
  std::vector<std::unique_ptr<Path>> owned_;
  PathList list_;
  Fifo<IoRequest*> requeue_;
  HeadCounters counters_;
  std::unique_ptr<StackRules> rules_;  // after list_: the rules keep a pointer to it

  using TimerId = TimerService::TimerId;
  std::multimap<TimePoint, IoRequest*> delayed_;  // due time -> I/O (FIFO among equal times)
  TimerId delayed_timer_ = TimerService::kNoTimer;
  TimePoint delayed_due_{};
  TimerId requeue_timer_ = TimerService::kNoTimer;
  std::size_t inflight_ = 0;
  std::size_t tag_waiting_ = 0;
  bool plugged_ = false;
  std::vector<IoRequest*> plug_list_;  // chosen under the plug, not started yet
  bool disk_live_ = false;  // NVME_NSHEAD_DISK_LIVE
  bool removed_ = false;    // the head disk is gone (Linux delayed removal expired)

  void route(IoRequest& io);
  Path* find_path(const IoRequest& io);
  void send_on(Path& p, IoRequest& io);
  void dispatch(Path& p, IoRequest& io);
  void start(IoRequest& io);
  void start_unplugged(IoRequest& io);
  void finish_attempt(IoRequest& io, NvmeStatus status);
  void dispose(IoRequest& io, Path& p, NvmeStatus status);
  void fail_nonready(IoRequest& io, Path& p);
  void failover(IoRequest& io, Path& p, NvmeStatus status);
  void retry_later(IoRequest& io, Duration delay);
  void requeue(IoRequest& io);
  void requeue_work();
  void delayed_work();
  void arm_delayed_timer();
  void finish_ok(IoRequest& io, NvmeStatus status);
  void finish_error(IoRequest& io, NvmeStatus status, FailReason reason);
  void cancel_timer(TimerId& id);
};

}  // namespace mpsim::policies
