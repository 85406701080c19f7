// The simulated fabric and hosts of one run, advanced by one calendar. It is the engine side
// of every policies/ interface: the TimerService and ControllerTransport the controllers use,
// the IoCompletionSink of the namespace heads, and the observer that logs their state changes.
// Files: world.cpp (set-up, loop, timers), world_io.cpp (the I/O path), world_control.cpp
// (connect, keep-alive, ANA log, AEN), world_faults.cpp (fault actions), world_result.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <random>
#include <string>
#include <vector>

#include "models/media.h"
#include "models/transport.h"
#include "policies/controller.h"
#include "policies/namespace_head.h"
#include "sim/calendar.h"
#include "sim/cpu_pool.h"
#include "sim/fabric.h"
#include "sim/fault_plan.h"
#include "sim/histogram.h"
#include "sim/metrics.h"
#include "sim/platform.h"
#include "sim/result.h"
#include "sim/scenario.h"

namespace mpsim::sim {

policies::AnaState to_policies(topology::AnaState s);
double process_cpu_s();  // CPU time of this process (for RunResult::cost)

struct HostState {
  std::string name;
  CpuPool cpu;
};

struct NodeState {
  std::uint32_t generation = 1;  // bumped when the node goes down: it forgets its controllers
  CpuPool cpu;
};

struct PortState {
  std::uint32_t comp;
  int node;
  std::vector<std::pair<std::uint32_t, topology::AnaState>> ana;  // (grpid, state)
  std::vector<std::pair<std::uint32_t, topology::AnaState>> initial;
  std::vector<std::uint32_t> conns;
  // Down with IMMEDIATE detection the target closed its listener: a connect is refused at once.
  // Down silently (AUTO, SILENT) the port answers nothing: a SYN is lost, and the retry or the
  // connect timeout follows.
  bool refuses_while_down = true;
  topology::AnaState state(std::uint32_t grpid) const;
};

struct MediaState {
  models::MediaModel model;
  std::priority_queue<std::int64_t, std::vector<std::int64_t>, std::greater<>> free_at;  // per unit
};

struct Conn {
  std::string name;  // "<host>/<node>.<port>"
  int host = -1;
  std::uint32_t port = 0;
  Route route;
  std::vector<std::uint32_t> grpids;  // ANA groups of its subsystem's namespaces
  std::unique_ptr<policies::Controller> ctrl;
  std::uint32_t epoch = 0;            // host side: bumped on every connect / disconnect
  bool connecting = false;
  std::int64_t connect_sent = 0, ka_sent = 0, log_sent = 0, aen_sent = 0;
  std::uint32_t target_epoch = 0;     // the connection the target knows (0 = none)
  std::uint32_t target_generation = 0;
  bool connect_refused = false;
  bool connect_reached = false;       // a SYN of this attempt reached a live target
  policies::AnaLog reply_log;
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

struct JobRun {
  std::string name;
  const JobSpec* spec = nullptr;
  std::uint32_t head = 0;
  int host = -1;
  std::uint32_t clone = 0;
  std::mt19937_64 rng;
  std::int64_t start = 0, measure_from = 0, end = 0;
  std::int64_t rate_gap = 0, next_allowed = 0;
  bool submit_scheduled = false, stopped = false;
  std::uint32_t outstanding = 0;
  std::uint32_t unreaped = 0;          // completed, still counted in outstanding until fio reaps
  std::queue<std::uint32_t> staged;    // slots whose CPU work is under way, in io_submit order
  std::uint64_t next_offset = 0;
  // Costs of this job's I/O size, computed once (the hot path only adds them up).
  models::WireCost wire[2];            // [0] write, [1] read
  std::int64_t host_cpu_ns[2] = {}, target_cpu_ns[2] = {};  // [0] write, [1] read
  std::int64_t host_call_ns = 0;                             // per io_submit call
  Histogram read_lat, write_lat;
  DirectionStats read, write;
};

struct IoSlot {
  policies::IoRequest req;
  std::uint32_t job = 0;
  std::uint32_t conn = 0;
  std::uint32_t epoch = 0;
  std::uint32_t last_path = UINT32_MAX;
  bool live = false;
  std::int64_t sent = 0;
  std::int64_t issued = 0;             // when the job issued it: fio's latency starts here
  policies::NvmeStatus status;
};

// The brief's budget is 1 KiB per in-flight I/O; the slot is most of it (the library adds a
// pointer in its controller's tag table and one calendar event).
static_assert(sizeof(IoSlot) <= 256, "per-I/O state grew past its budget");

class World final : public policies::TimerService,
                    public policies::ControllerTransport,
                    public policies::IoCompletionSink,
                    public policies::ControllerObserver,
                    public PlatformListener {
 public:
  explicit World(const Scenario& s);
  ~World() override;

  std::int64_t end_ns() const { return end_; }
  const std::vector<FaultAction>& fault_actions() const { return actions_; }
  Platform& platform() { return *platform_; }

  void start();                          // controllers connect, jobs scheduled
  void run_until(std::int64_t t);        // every event before t, then the clock is t
  void apply(const FaultAction& a);      // from the fault-scheduler actor
  RunResult result();                    // after the run: ledger checked
  RunCost run_cost() const;              // wall-clock cost so far (set-up vs I/O phase)

  // TimerService
  policies::TimePoint now() const override { return policies::TimePoint(now_); }
  TimerId schedule_after(policies::Duration delay, std::function<void()> fn) override;
  void cancel(TimerId id) override;
  // ControllerTransport
  void connect(policies::Controller& c) override;
  void send_keep_alive(policies::Controller& c) override;
  void read_ana_log(policies::Controller& c) override;
  void dispatch(policies::IoRequest& io) override;
  void disconnect(policies::Controller& c) override;
  // IoCompletionSink
  void finished(policies::IoRequest& io, const policies::IoResult& r) override;
  // ControllerObserver
  void on_state_change(const policies::Controller& c, policies::ControllerState from, policies::ControllerState to,
                       std::string_view why) override;
  void on_ana_change(const policies::Path& p, policies::AnaState from, policies::AnaState to) override;
  // PlatformListener
  void on_component_state(std::uint32_t comp, bool up) override;
  void on_component_rate(std::uint32_t comp, double bps, double latency_ns) override;

 private:
  // set-up (world.cpp)
  void build_targets();
  void build_connections();
  void build_heads();
  void build_jobs();
  void build_fault_tracks();
  std::uint32_t conn_of(const policies::Controller& c) const;
  void handle(const Event& e);
  void note_io_start();
  void fire_timer(std::uint32_t slot, std::uint32_t gen);
  // I/O path (world_io.cpp)
  void try_submit(std::uint32_t job);
  bool stage_one(std::uint32_t job);
  void issued(std::uint32_t job, std::uint32_t count);
  bool cpu_before_choice(const JobRun& j) const;
  void reap(JobRun& j, std::uint32_t job);
  void drain_refills();
  void io_at_target(std::uint32_t slot, std::uint32_t attempt);
  void media_done(std::uint32_t slot, std::uint32_t attempt);
  void io_done(std::uint32_t slot, std::uint32_t attempt);
  IoSlot* current(std::uint32_t slot, std::uint32_t attempt);
  void note_dispatch(IoSlot& s, HeadState& h);
  void record(JobRun& j, IoSlot& s, const policies::IoResult& r);
  // control path (world_control.cpp)
  bool target_knows(const Conn& c) const;
  void send_reset(std::uint32_t conn);
  void connect_at_target(std::uint32_t conn, std::uint32_t epoch);
  void connect_reply(std::uint32_t conn, std::uint32_t epoch);
  void connect_timeout(std::uint32_t conn, std::uint32_t epoch);
  void connect_retry(std::uint32_t conn, std::uint32_t epoch);
  void send_syn(std::uint32_t conn);
  void keep_alive_at_target(std::uint32_t conn, std::uint32_t epoch);
  void keep_alive_reply(std::uint32_t conn, std::uint32_t epoch);
  void ana_log_at_target(std::uint32_t conn, std::uint32_t epoch);
  void ana_log_reply(std::uint32_t conn, std::uint32_t epoch);
  void aen(std::uint32_t conn, std::uint32_t epoch);
  void reset_arrived(std::uint32_t conn, std::uint32_t epoch);
  policies::AnaLog ana_log_for(const Conn& c) const;
  void send_aens(std::uint32_t port);
  // faults (world_faults.cpp)
  std::uint32_t fault_comp(const FaultSpec& f) const;
  void apply_down(const FaultSpec& f, std::uint32_t comp);
  void apply_up(std::uint32_t comp);
  void apply_ana(const FaultAction& a, const FaultSpec& f);
  void apply_gray(const FaultSpec& f, bool on);
  void apply_reset(const FaultSpec& f);
  bool is_local(std::uint32_t comp, const Conn& c) const;
  std::vector<std::uint32_t> conns_affected(const FaultSpec& f) const;

  const Scenario& s_;
  std::int64_t now_ = 0;
  std::int64_t end_ = 0;
  Calendar cal_;
  Fabric fabric_;
  std::unique_ptr<Platform> platform_;
  models::TransportModel transport_;
  std::vector<HostState> hosts_;
  std::vector<NodeState> nodes_;
  std::vector<PortState> ports_;
  std::map<std::uint32_t, std::uint32_t> port_of_comp_;
  std::vector<MediaState> media_;
  std::vector<Conn> conns_;
  std::vector<std::vector<std::uint32_t>> heads_of_conn_;
  std::map<const policies::Controller*, std::uint32_t> conn_by_ctrl_;
  std::vector<HeadState> heads_;
  std::vector<JobRun> jobs_;
  std::vector<IoSlot> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::vector<std::uint32_t> refill_, refilling_;
  struct TimerSlot {
    std::function<void()> fn;
    std::uint32_t gen = 1;
  };
  std::vector<TimerSlot> timers_;
  std::vector<std::uint32_t> free_timers_;
  std::vector<FaultAction> actions_;
  std::vector<std::pair<double, double>> nominal_;    // per component: (bps, latency_ns) before any gray fault
  std::vector<std::vector<std::uint64_t>> path_ios_;  // [head][path] dispatched in the window
  std::unique_ptr<Metrics> metrics_;
  std::mt19937_64 media_rng_;
  Ledger ledger_;
  std::uint64_t attempts_ = 0;
  std::uint64_t next_io_id_ = 1;
  // Wall-clock bookkeeping for RunResult::cost only; it never feeds back into the simulation.
  std::chrono::steady_clock::time_point created_wall_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point io_start_wall_{};
  double io_start_cpu_s_ = 0;
  bool io_started_ = false;
  std::uint64_t events_ = 0, events_before_io_ = 0;
};

}  // namespace mpsim::sim
