// One host controller (the kernel's struct nvme_ctrl over NVMe/TCP): its lifecycle
// LIVE -> RESETTING -> CONNECTING -> LIVE | DELETING -> DEAD, keep-alive, ANA log handling,
// the ANATT timer, reconnect loop, ctrl_loss_tmo and fast_io_fail_tmo. The transport (the
// simulator's network or a real socket) is behind ControllerTransport.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "policies/io.h"
#include "policies/fifo.h"
#include "policies/kernel_defaults.h"
#include "policies/path.h"
#include "policies/timer.h"

namespace mpsim::policies {

using namespace std::chrono_literals;

// The block layer's request timer as the keep-alive meets it: one timer per request queue
// (q->timeout), armed by blk_add_timer (block/blk-timeout.c) and re-armed by
// blk_mq_timeout_work (block/blk-mq.c). Both work in the host's jiffies.
struct RequestTimerConfig {
  // CONFIG_HZ of the host kernel. A timer armed afresh fires at the request's deadline plus
  // roundup_pow_of_two(HZ) jiffies (blk_round_jiffies: 1.024 s at 250, 1.28 s at 100);
  // 0 = exact timeouts at the deadline, no jiffies.
  std::uint32_t hz = kernel_defaults::kHz;
  // The timer wheel fires a timer at the end of its bucket (kernel/time/timer.c calc_index);
  // the bucket is 8^level jiffies, the level chosen by how far away the expiry is. A freshly
  // armed queue timer lands in at least this bucket size: 64 jiffies (level 2) is what
  // calc_wheel_index gives kato >= 2 s at HZ >= 250, and what the validation guest (HZ 100,
  // where the code alone would say level 1) showed in every run: the keep-alive timeout always
  // fired on a multiple of 64 jiffies.
  std::uint32_t fresh_min_bucket_jiffies = 64;
};

// roundup_pow_of_two(hz): what blk_round_jiffies adds to a freshly armed request timer.
std::int64_t blk_timeout_pad_jiffies(std::uint32_t hz);
// The timer wheel's bucket size (jiffies) for an expiry `delta` jiffies away (calc_wheel_index).
std::int64_t timer_wheel_bucket_jiffies(std::int64_t delta);

// Defaults are the kernel's (kernel_defaults.h names the source of each); see
// multipath-behaviour.md §1.7.
struct ControllerConfig {
  Duration kato = kernel_defaults::kKato;
  Duration reconnect_delay = kernel_defaults::kReconnectDelay;
  Duration ctrl_loss_tmo = kernel_defaults::kCtrlLossTmo;        // negative = forever
  Duration fast_io_fail_tmo = kernel_defaults::kFastIoFailTmo;   // negative = off
  Duration io_timeout = kernel_defaults::kIoTimeout;             // nvme_core.io_timeout
  // nvme_core.admin_timeout: bounds the fabrics Connect and the ANA log read when the network
  // swallows them. (A SYN that is never answered fails after ~127 s with tcp_syn_retries = 6;
  // engines that model that can answer on_connect_done(false) themselves.)
  Duration admin_timeout = kernel_defaults::kAdminTimeout;
  Duration anatt = kernel_defaults::kNvmetAnatt;  // from Identify Controller (nvmet reports 10 s)
  bool tbkas = false;                        // CTRATT.TBKAS advertised (nvmet does: admin-cmd.c)
  RequestTimerConfig request_timer;          // when the keep-alive's kato timeout really fires
  std::uint32_t queue_size = kernel_defaults::kQueueSize;
  // The kernel's default is one per online CPU (kernel_defaults::nr_io_queues); the library
  // does not know the host's CPUs, so the engine sets it.
  std::uint32_t nr_io_queues = 1;
  int numa_node = kNumaNoNode;               // NVMe/TCP controllers report NUMA_NO_NODE
  bool ana_supported = true;                 // CMIC.ANA: ANA errors mark the path pending + re-read the log
};

// nvmf_parse_options: ceil(ctrl_loss_tmo / reconnect_delay); -1 (unlimited) if ctrl_loss_tmo < 0.
long max_reconnects(const ControllerConfig& c);

struct AnaGroupDescriptor {
  std::uint32_t grpid;
  AnaState state;
};
using AnaLog = std::vector<AnaGroupDescriptor>;

class Controller;
class NamespaceHead;

// Implemented by the engine. Every call is asynchronous: the engine answers later by calling
// the matching Controller::on_* method (or never, if the network swallowed the message — the
// controller's own timers then notice). Answers must not be given from inside the call itself
// (deliver them through the event queue), as a real network would.
class ControllerTransport {
 public:
  virtual ~ControllerTransport() = default;
  virtual void connect(Controller& c) = 0;          // -> on_connect_done(ok, log)
  virtual void send_keep_alive(Controller& c) = 0;  // -> on_keep_alive_done()
  virtual void read_ana_log(Controller& c) = 0;     // -> on_ana_log(log)
  virtual void dispatch(IoRequest& io) = 0;         // -> NamespaceHead::complete(io, status)
  // The queues are torn down: forget every in-flight attempt of this controller; a later
  // completion for one of them must not be delivered.
  virtual void disconnect(Controller& c) = 0;
};

// Observer for state changes, so engines can log events (events.csv) without polling. Notable
// events without a state change (failfast expiry, ANATT expiry) arrive with from == to and the
// kernel's message as `why`.
class ControllerObserver {
 public:
  virtual ~ControllerObserver() = default;
  virtual void on_state_change(const Controller& /*c*/, ControllerState /*from*/, ControllerState /*to*/,
                               std::string_view /*why*/) {}
  virtual void on_ana_change(const Path& /*p*/, AnaState /*from*/, AnaState /*to*/) {}
};

struct ControllerCounters {
  std::uint64_t resets = 0;
  std::uint64_t reconnect_attempts = 0;
  std::uint64_t keep_alive_timeouts = 0;
  std::uint64_t io_timeouts = 0;
  std::uint64_t anatt_expiries = 0;
  std::uint64_t cancelled_ios = 0;  // completed with 0x371 at teardown
  std::uint64_t keep_alives_sent = 0;
  std::uint64_t ana_log_reads = 0;  // read_ana_log requests (AEN, ANA error), not counting connects
  std::uint64_t tag_waits = 0;      // I/Os that found every tag busy and waited for one
  std::uint64_t admin_timeouts = 0; // connect or ANA log read unanswered for admin_timeout
};

class Controller {
 public:
  Controller(std::string name, ControllerConfig config, TimerService& timers, ControllerTransport& transport,
             ControllerObserver* observer = nullptr);
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;
  ~Controller();

  const std::string& name() const { return name_; }
  const ControllerConfig& config() const { return config_; }
  ControllerState state() const { return state_; }
  int numa_node() const { return config_.numa_node; }
  bool failfast_expired() const { return failfast_expired_; }
  const ControllerCounters& counters() const { return counters_; }
  const std::vector<Path*>& paths() const { return paths_; }
  std::size_t inflight() const { return inflight_.size(); }
  // The commands started on the controller and not yet completed or cancelled (an engine that
  // closes the connection looks at which of them are still on the wire).
  const std::vector<IoRequest*>& inflight_requests() const { return inflight_; }

  // queue-depth iopolicy: requests counted on this controller (all namespaces). Reset on connect.
  std::uint32_t nr_active = 0;

  // Lifecycle driven by the host.
  void start();               // NEW -> CONNECTING, first connect
  void reset();               // nvme_reset_ctrl (user, ANATT expiry)
  void remove();              // nvme_delete_ctrl

  // Events from the engine.
  void on_connect_done(bool ok, const AnaLog& log);
  void on_keep_alive_done();
  void on_ana_log(const AnaLog& log);
  void on_ana_change_notice();  // ANA-change AEN
  void on_transport_error();    // socket error / RST / local link down -> error recovery

  // Used by NamespaceHead.
  void attach(Path& p);
  bool can_accept() const;      // LIVE, a free tag (queue_size * nr_io_queues) and nobody waiting for one
  void start_io(IoRequest& io);     // records in flight and calls transport.dispatch
  void end_io(IoRequest& io);       // removes from in flight; a freed tag goes to the oldest waiter
  // All tags busy (blk-mq would sleep in tag allocation): io.path is the path it is committed
  // to; when a tag frees, NamespaceHead::resume_tag_wait(io) is called, or abort_tag_wait(io)
  // if the queues are torn down first.
  void wait_for_tag(IoRequest& io);
  bool has_free_tag() const;             // LIVE and a tag free, waiters or not (for the waiter itself)
  bool owns(const IoRequest& io) const;  // io is in flight on this controller (not stale)
  void on_ana_error(Path& p);            // ANA status on I/O: path ANA-pending + log re-read

  std::size_t tag_capacity() const { return std::size_t(config_.queue_size) * config_.nr_io_queues; }
  std::size_t waiting_for_tag() const { return tag_waiters_.size(); }
  std::uint32_t nr_reconnects() const { return nr_reconnects_; }
  bool anatt_timer_armed() const { return anatt_timer_ != TimerService::kNoTimer; }

 private:
  std::string name_;
  ControllerConfig config_;
  TimerService& timers_;
  ControllerTransport& transport_;
  ControllerObserver* observer_;
  ControllerState state_ = ControllerState::New;
  bool failfast_expired_ = false;
  ControllerCounters counters_;
  std::vector<Path*> paths_;
  std::vector<IoRequest*> inflight_;  // slot table: io->ctrl_slot indexes it
  Fifo<IoRequest*> tag_waiters_;

  using TimerId = TimerService::TimerId;
  TimerId teardown_timer_ = TimerService::kNoTimer;   // error recovery / reset work
  TimerId reconnect_timer_ = TimerService::kNoTimer;
  TimerId failfast_timer_ = TimerService::kNoTimer;
  TimerId ka_timer_ = TimerService::kNoTimer;         // next keep-alive check
  TimerId admin_q_timer_ = TimerService::kNoTimer;    // the admin queue's request timer (q->timeout)
  TimerId io_timer_ = TimerService::kNoTimer;         // one timer for every in-flight I/O
  TimerId anatt_timer_ = TimerService::kNoTimer;
  TimerId connect_timer_ = TimerService::kNoTimer;    // admin_timeout on the outstanding connect
  TimerId ana_read_timer_ = TimerService::kNoTimer;   // admin_timeout on the outstanding log read
  bool reconnect_after_teardown_ = false;  // reset: reconnect at once; error recovery: after the delay
  bool connecting_ = false;                // a connect is outstanding
  bool ever_live_ = false;                 // a failed first connect deletes the controller
  std::uint32_t nr_reconnects_ = 0;
  bool ka_outstanding_ = false;
  bool comp_seen_ = false;                 // a completion of a command sent since the last check
  TimePoint ka_last_check_{};              // ka_last_check_time: construction, each check, each KA answer
  TimePoint ka_sent_{};
  std::int64_t ka_deadline_j_ = 0;         // the outstanding keep-alive's deadline, in jiffies
  std::int64_t admin_q_expires_j_ = 0;     // what admin_q_timer_ was asked for (timer->expires)
  bool ana_read_outstanding_ = false;
  bool ana_reread_ = false;                // another read was asked for while one was outstanding

  // controller.cpp: lifecycle
  void set_state(ControllerState to, std::string_view why);
  void error_recovery(std::string_view why);
  void schedule_teardown(bool reconnect_now);
  void teardown_work();
  void cancel_inflight();
  void abort_tag_waiters();
  void reconnect_or_remove();
  void connect_attempt();
  void send_connect();
  void connect_done(bool ok, const AnaLog& log);
  void become_live(const AnaLog& log);
  void delete_ctrl(std::string_view why);
  void start_failfast();
  void failfast_work();
  void cancel_timer(TimerId& id);
  void cancel_all_timers();
  std::vector<NamespaceHead*> heads() const;
  void notify_paths_changed();
  void kick_heads();
  void set_live_paths();
  void drain_tag_waiters();
  void arm_io_timer(TimePoint deadline);
  void io_timer_fired();
  // controller_ana_ka.cpp: keep-alive and ANA
  Duration keep_alive_period() const;
  void start_keep_alive();
  void stop_keep_alive();
  void queue_keep_alive_work(Duration delay);
  void keep_alive_work();
  void send_keep_alive();
  void keep_alive_expired();
  void note_completion(const IoRequest& io);
  std::int64_t jiffies(TimePoint t) const;
  TimePoint jiffies_to_time(std::int64_t j) const;
  // A kernel timer armed now for `delta_j` jiffies ahead (mod_timer(t, jiffies + delta_j)):
  // how long until the timer wheel runs it, at the end of its bucket; delta_j itself if hz is 0.
  Duration wheel_delay(std::int64_t delta_j) const;
  void add_keep_alive_timer();
  void arm_admin_queue_timer(std::int64_t expires_j, std::int64_t bucket_j);
  void admin_queue_timeout_work();
  void request_ana_log();
  void ana_read_expired();
  void apply_ana_log(const AnaLog& log);
  void update_anatt_timer(const AnaLog& log);
  void anatt_expired();
};

}  // namespace mpsim::policies
