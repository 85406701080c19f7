// The failover state machine of one namespace seen through N controllers (the kernel's
// struct nvme_ns_head): path choice through a PathSelector, completion disposition
// (nvme_decide_disposition), failover and requeue, no-path queueing (nvme_available_path).
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
#include <deque>
#include <map>
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
  bool dm_queue_if_no_path = false;       // features "1 queue_if_no_path"
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
  std::uint64_t stale_completions = 0;       // completions for an attempt already cancelled
  std::uint64_t dm_path_failures = 0;        // dm fail_path
  std::uint64_t dm_path_reinstates = 0;      // multipathd reinstate_path
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
  void set_selector(std::unique_ptr<PathSelector> s, Stack stack);  // iopolicy change

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
  bool available_path() const;        // nvme_available_path
  bool live() const { return disk_live_; }  // NVME_NSHEAD_DISK_LIVE: a path has gone live once
  bool removed() const { return removed_; } // delayed removal expired

 private:
  HeadConfig config_;
  std::unique_ptr<PathSelector> selector_;
  TimerService& timers_;
  IoCompletionSink& sink_;
  std::vector<std::unique_ptr<Path>> owned_;
  PathList list_;
  std::deque<IoRequest*> requeue_;
  HeadCounters counters_;

  using TimerId = TimerService::TimerId;
  std::multimap<TimePoint, IoRequest*> delayed_;  // due time -> I/O (FIFO among equal times)
  TimerId delayed_timer_ = TimerService::kNoTimer;
  TimePoint delayed_due_{};
  TimerId requeue_timer_ = TimerService::kNoTimer;
  std::size_t inflight_ = 0;
  std::size_t tag_waiting_ = 0;
  bool plugged_ = false;
  std::vector<IoRequest*> plug_list_;  // chosen under the plug, not started yet
  bool disk_live_ = false;
  bool removal_pending_ = false;  // NVME_NSHEAD_QUEUE_IF_NO_PATH during delayed removal
  bool removed_ = false;
  TimerId removal_timer_ = TimerService::kNoTimer;
  // dm-multipath: paths failed by dm (reinstated by the checker), and the no_path_retry clock.
  std::vector<bool> dm_failed_;
  bool dm_any_failed_ = false;
  PathList dm_selectable_;  // list_ without the dm-failed paths
  TimerId dm_checker_timer_ = TimerService::kNoTimer;
  bool dm_no_path_ = false;
  bool dm_queueing_disabled_ = false;
  TimerId dm_no_path_timer_ = TimerService::kNoTimer;
  // SPDK: since when each path has been inaccessible / in change (ANATT clock); max() = not.
  std::vector<TimePoint> spdk_ana_since_;

  // namespace_head.cpp: the I/O path
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
  // namespace_head_nopath.cpp: what happens when no path is chosen, per stack
  void no_path(IoRequest& io);
  void linux_no_path(IoRequest& io);
  void dm_no_path(IoRequest& io);
  void spdk_no_path(IoRequest& io);
  FailReason linux_fail_reason() const;
  bool all_paths_removed() const;
  void check_last_path_removed();
  void removal_expired();
  bool dm_usable(const Path& p) const;
  bool any_dm_usable() const;
  void dm_fail_path(Path& p);
  void dm_check_paths();
  void dm_update_no_path_clock();
  void dm_no_path_expired();
  bool spdk_ana_timed_out(const Path& p) const;
  bool spdk_may_recover() const;
  void spdk_track_ana();
  void dm_reinstate(Path& p);
  void dm_rebuild_selectable();
  const PathList& selectable_paths() const;
};

}  // namespace mpsim::policies
