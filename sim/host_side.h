// The hosts of a run: their CPUs, the namespace heads (policies::NamespaceHead) over the
// transport's controllers, and the fio-style jobs that generate I/O and record its latency.
// It is the heads' IoCompletionSink and the controllers' observer (a namespace's block device
// appears with its first live path; state changes go to the events list).
// Files: host_setup.cpp (hosts, heads, jobs), host_io.cpp (the workload generator and completions),
// host_landing.cpp (commands the host gave up on that still reach the media; ghost writes).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <queue>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "policies/controller.h"
#include "policies/fifo.h"
#include "policies/namespace_head.h"
#include "sim/cpu_pool.h"
#include "sim/fio_lat_log.h"
#include "sim/histogram.h"
#include "sim/host_qos.h"
#include "sim/io_slot.h"
#include "sim/metrics.h"
#include "sim/result.h"
#include "sim/run_cost.h"
#include "sim/scenario.h"
#include "sim/scheduler.h"
#include "sim/target_model.h"
#include "sim/transport.h"
#include "sim/write_order.h"

namespace mpsim::sim {


struct HostState {
  std::string name;
  HostCpu cpu;                       // by NUMA node
  std::vector<std::uint32_t> numa_ids;  // Host.numa_nodes ids, in the order of cpu's nodes
  // The guest scheduler's choice after an io_submit (submitter_keeps_cpu): seeded on first use, so
  // a run without that split holds no 2.5 KB generator per host (issue 18: 2.6 MB at 1,024 hosts).
  std::uint64_t sched_seed = 0;
  std::unique_ptr<std::mt19937_64> sched_rng;
};

struct HeadState {
  int host = -1;
  std::string nqn;
  std::uint32_t nsid = 0;
  std::uint32_t grpid = 0;
  std::uint32_t media = 0;
  std::uint64_t size_bytes = 0;       // namespace size
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::int64_t> failover_noted;  // (from, to) path -> when
  std::unique_ptr<policies::NamespaceHead> head;
  std::vector<std::uint32_t> conn_of_path;
  // The block device exists once a path has been live (fio can only open it then): jobs on
  // it wait until then, whatever their start_delay.
  bool device_ready = false;
  std::vector<std::uint32_t> jobs;
};

// A completed I/O as fio's latency stamp needs it.
struct Reaped {
  std::int64_t issued = 0;
  std::uint32_t bytes = 0, conn = 0, path = 0;
  bool read = true;
};

struct JobRun {
  std::string name;
  const JobSpec* spec = nullptr;
  std::uint32_t head = 0;
  int host = -1;
  int cpu_node = HostCpu::kAnyNode;  // the host NUMA node (index) it is pinned to, or any
  bool one_core = false;             // the cores it may run on are one (HostSide::cpu_before_choice)
  std::uint32_t clone = 0;
  std::mt19937_64 rng;
  std::int64_t start = 0, measure_from = 0, end = 0;
  std::int64_t rate_gap = 0, next_allowed = 0;
  bool submit_scheduled = false, stopped = false;
  std::uint32_t outstanding = 0;
  std::uint32_t unreaped = 0;          // completed, still counted in outstanding until fio reaps
  // Both queues on policies::Fifo: nothing allocated while empty (a std::deque's ~580 bytes, per job).
  template <class T>
  using Queue = std::queue<T, policies::Fifo<T>>;
  Queue<std::uint32_t> staged;         // slots whose CPU work is under way, in io_submit order
  // Split CPU (one-core host, completion_share > 0): io_submit calls waiting for fio's thread,
  // as (I/Os, submission CPU ns); the thread runs one at a time.
  Queue<std::pair<std::uint32_t, std::int64_t>> calls;
  bool submitting = false;             // a call of this job is on the core
  std::vector<Reaped> unstamped;       // split CPU: completed, stamped when fio reaps them
  FioLatencyLogs lat_logs;             // JobSpec::per_io_lat_log
  bool quiescing = false;              // fio waits for every I/O in flight before it regrows its logs
  std::uint64_t next_offset = 0;        // sequential: within the region
  std::uint64_t region_base = 0;        // fio offset
  std::uint64_t region_blocks = 1;      // fio size / bs
  Histogram read_lat, write_lat;
  std::size_t window = 0;              // the sample window of the last stamp (time only moves on)
  std::int64_t window_end = 0;         // and where it ends: 0 until the first stamp
  DirectionStats read, write;
  DepthCounts depth;
  std::int64_t failing_until = 0;      // fio's thread fails the job's I/Os in the kernel until then
  // I/Os failed the instant they were issued at zero_time_at (a host without CPU cost per I/O),
  // to stop a job that would resubmit and fail there forever (HostSide::fail_in_host).
  std::int64_t zero_time_at = -1;
  std::uint64_t zero_time_failures = 0;
  bool stopped_by_error = false;
  std::string error_reason;
  std::uint16_t error_status = 0;
};

class HostSide final : public policies::IoCompletionSink, public policies::ControllerObserver, public IoHost {
 public:
  // The hosts and their CPUs; heads and jobs come with build() once the transport exists.
  HostSide(const Scenario& s, std::int64_t end, Scheduler& sched, RunCostMeter& meter);
  ~HostSide() override;
  // Heads over the transport's controllers (media queues from the target) and the jobs on them.
  void build(Transport& transport, TargetModel& target, policies::TimerService& timers);
  // Heads cancel their timers and detach from controllers when destroyed: before either goes.
  void destroy_heads() { heads_.clear(); }
  void set_metrics(Metrics& metrics) { metrics_ = &metrics; }

  std::vector<std::uint32_t> host_cpus() const;
  const std::vector<HostState>& hosts() const { return hosts_; }
  const std::vector<HeadState>& heads() const { return heads_; }
  const std::vector<JobRun>& jobs() const { return jobs_; }
  const std::vector<std::vector<std::uint64_t>>& path_ios() const { return path_ios_; }  // [head][path]
  const HostQos& qos() const { return qos_; }
  const TargetModel& target() const { return *target_; }
  IoPool& pool() { return pool_; }
  const IoPool& pool() const { return pool_; }
  Ledger& ledger() { return ledger_; }
  const Ledger& ledger() const { return ledger_; }
  // The window every job measures in: [earliest measure_from, latest end].
  std::pair<std::int64_t, std::int64_t> measure_window() const;

  void start();          // jobs scheduled at their start_delay
  void drain_refills();  // after every event: completed jobs submit again

  // IoHost
  std::int64_t leave(IoSlot& s) override;
  void at_media(const IoSlot& s, int node, std::int64_t lands) override;
  void landed(std::uint32_t slot, std::uint32_t attempt, bool awaited) override;
  // The target's side of commands the host gave up on, and the ghost writes among them.
  AbandonedCommands abandoned() const;
  const GhostWrites& ghost_writes() const { return ghosts_; }
  const std::vector<GhostWrites>& ghost_writes_by_fault() const { return fault_ghosts_; }
  // IoCompletionSink
  void finished(policies::IoRequest& io, const policies::IoResult& r) override;
  // ControllerObserver
  void on_state_change(const policies::Controller& c, policies::ControllerState from, policies::ControllerState to,
                       std::string_view why) override;
  void on_ana_change(const policies::Path& p, policies::AnaState from, policies::AnaState to) override;

 private:
  void build_heads(TargetModel& target, policies::TimerService& timers);
  void build_jobs();
  void submit_event(std::uint32_t job, std::uint32_t);
  void try_submit(std::uint32_t job);
  bool stage_one(std::uint32_t job);
  void issued(std::uint32_t job, std::uint32_t count);
  bool cpu_before_choice(const JobRun& j) const;
  bool split_cpu(const JobRun& j) const { return completion_share_ > 0 && cpu_before_choice(j); }
  std::int64_t after_choice_ns(const IoProfile& p, bool read) const;
  void next_call(std::uint32_t job);
  bool keeps_cpu(HostState& host);
  // `cost` ns of the job's CPU work from now, on the cores it may run on; returns when done.
  std::int64_t run_cpu(const JobRun& j, std::int64_t cost) { return hosts_[j.host].cpu.run(j.cpu_node, sched_.now(), cost); }
  void reap(JobRun& j, std::uint32_t job);
  void quiesce_if_due(JobRun& j);
  void note_dispatch(IoSlot& s, HeadState& h);
  void record(JobRun& j, IoSlot& s, const policies::IoResult& r);
  void complete(IoSlot& s, const policies::IoResult& r);
  std::int64_t fail_in_host(IoSlot& s, const policies::IoResult& r);
  void failed_in_host(std::uint32_t slot, std::uint32_t reason);
  void stamp(JobRun& j, const Reaped& io);
  void count_ghost(const MediaCommand& c, const WriteOrder::Ghost& g);
  bool throttle(const JobRun& j, std::uint32_t index, IoSlot& s);
  void throttle_released(std::uint32_t slot, std::uint32_t);

  const Scenario& s_;
  std::int64_t end_;
  std::int64_t sample_interval_;  // ns, > 0
  Scheduler& sched_;
  RunCostMeter& meter_;
  Transport* transport_ = nullptr;
  TargetModel* target_ = nullptr;
  Metrics* metrics_ = nullptr;
  EventType submit_, issued_, released_, failed_;
  double completion_share_ = 0, submitter_keeps_cpu_ = 0;  // models.host_cpu
  std::uint32_t call_size_ = 0;  // I/Os of the io_submit being issued (0: a retry, outside any call)
  HostQos qos_;                        // cgroups' io.max on the heads
  std::vector<HostState> hosts_;
  std::vector<HeadState> heads_;
  std::vector<std::vector<std::uint32_t>> heads_of_conn_;
  std::vector<JobRun> jobs_;
  IoPool pool_;
  std::vector<std::uint32_t> refill_, refilling_;
  std::vector<std::vector<std::uint64_t>> path_ios_;  // [head][path] dispatched in the window
  Ledger ledger_;
  std::uint64_t next_io_id_ = 1;
  // Write order is per namespace, whichever job or host writes it: ghost writes are found against
  // any newer acknowledged write to the block, not only the same job's. A command at the target
  // knows its channel (one per job); ns_of_channel_ maps it back to its namespace's key.
  WriteOrder write_order_;
  std::map<std::pair<std::string, std::uint32_t>, std::uint32_t> namespace_keys_;
  std::vector<std::uint32_t> ns_of_channel_;
  std::uint32_t namespace_key(const std::string& nqn, std::uint32_t nsid) {
    return namespace_keys_.try_emplace({nqn, nsid}, std::uint32_t(namespace_keys_.size())).first->second;
  }
  AbandonedCommands abandoned_;
  GhostWrites ghosts_;
  std::vector<GhostWrites> fault_ghosts_;  // by fault, in the scenario's order
};

}  // namespace mpsim::sim
