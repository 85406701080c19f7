// The live engine: `mpsim emulate`. One NVMe/TCP listener per target port of the scenario's
// fabric, a Session per accepted connection, one LiveTarget behind them, and the scenario's
// fault plan (sim/fault_plan.h) applied at its times in wall-clock time.
//
// One thread, one io_uring loop. Why one thread: every connection shares the target state
// (controllers, ANA, namespaces), so a single thread needs no locks and applies a fault between two
// commands, never during one; the work per command is a memory copy, and in the validation guest
// the host's own nvme-tcp, fio and the emulator share one CPU anyway. Why io_uring: in the UML
// guest every system call is a ptrace round trip through the host (~250 us each on the loaded
// 2-core host, validate/emulate/README.md); with the ring one io_uring_enter per wake-up submits
// every send and recv and waits for the next completions, where epoll needed a wait, a recv, a
// send and a clock read. The clock is read when the ring's timer fires (fault times, keep-alive,
// at most kClockTick apart while I/O flows) or on every wake-up when modelled delays are on.
// Times are CLOCK_MONOTONIC nanoseconds since start().
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "sim/fault_plan.h"
#include "sim/live/events_log.h"
#include "sim/live/live_target.h"
#include "sim/live/lossy_stream.h"
#include "sim/live/session.h"
#include "sim/scenario.h"

struct io_uring_sqe;

namespace mpsim::live {

struct EmulatorOptions {
  bool real_addresses = false;          // listen on each port's traddr; default: a loopback address
  std::uint64_t memory_limit = 1ull << 30;  // namespace data, all namespaces together
  bool apply_models = false;            // delay I/O by the models' target CPU and media time
  double duration_s = 0;                // stop after this long (0 = until SIGINT or stop())
  bool handle_signals = false;          // SIGINT/SIGTERM stop the loop (signalfd)
  // The fault schedule's clock starts at SIGUSR1 (when the host's workload starts), not at
  // start(); needs handle_signals.
  bool faults_after_signal = false;
  std::string events_csv;               // events log path ("" = none)
};

struct ListenAddress {
  std::string port;                     // "<node>.<port>"
  std::string address;                  // where it listens
  std::uint32_t trsvcid = 0;
};

// Listen addresses for the ports: traddr as is with `real`, else a loopback address (a 127.x
// traddr is kept; every other distinct traddr gets the next free 127.0.0.x).
std::vector<ListenAddress> listen_addresses(const std::vector<LivePort>& ports, bool real);

class Emulator final : private TargetHooks {
 public:
  // Throws std::invalid_argument for a fault the emulator cannot apply (named, with why).
  Emulator(const sim::Scenario& scenario, EmulatorOptions options, std::ostream& log);
  ~Emulator() override;

  // Opens every listener (throws std::runtime_error naming the address on failure) and starts
  // the clock; the fault plan's times count from here.
  void start();
  const std::vector<ListenAddress>& addresses() const { return addresses_; }
  // Runs until stop(), the duration or a signal. Returns the number of connections closed for a
  // protocol error (0 = none).
  int run();
  // From any thread (or a signal handler): the loop ends at its next wake-up.
  void stop();
  // Starts the fault schedule's clock now (what SIGUSR1 does with faults_after_signal).
  void start_fault_clock();
  LiveTarget& target() { return *target_; }

 private:
  struct Conn;
  struct PortRuntime;
  struct Ring;

  std::int64_t now() const;
  void complete_held(ConnId conn, const Cqe& cqe) override;
  void close_connection(ConnId conn, const std::string& reason) override;
  void event(std::string_view kind, std::string_view subject, const std::string& detail) override;

  void open_listener(std::uint32_t port);
  void close_listener(std::uint32_t port);
  void new_connection(std::uint32_t port, int fd);
  void close_now(ConnId id, const std::string& reason);
  void apply_due_faults(std::int64_t now_ns);
  void apply(const sim::FaultAction& a);
  void port_down(std::uint32_t port, bool silent, const std::string& why);
  void port_up(std::uint32_t port, const std::string& why);
  std::int64_t next_deadline() const;
  bool precise_time() const;
  void log_counters();
  // Random loss (emulator_loss.cpp): whether `bytes` leaving in direction `s` get through now;
  // the held data's retransmission when due; whether any is held or the clock must be exact.
  bool passes(Conn& c, LossyStream& s, std::size_t bytes);
  void resend_due(Conn& c, std::int64_t now_ns);
  bool lossy(const Conn& c) const;

  // The ring (emulator_loop.cpp): operations armed, completions handled.
  io_uring_sqe* sqe();
  void arm_accept(std::uint32_t port);
  void arm_recv(Conn& c);
  void arm_send(Conn& c);
  void arm_reads();
  void arm_timer(std::int64_t deadline_ns);
  void cancel(std::uint64_t user_data);
  void arm_wanted();
  void complete(std::uint64_t user_data, int res, std::int64_t now_ns, bool& stopping, bool& clock_due);
  void on_recv(Conn& c, int res, std::int64_t now_ns);
  void on_send(Conn& c, int res);
  void feed(Conn& c, ByteSpan bytes, std::int64_t now_ns);
  void send_now(Conn& c);
  void forget_if_done(ConnId id);
  void drain();

  const sim::Scenario& scenario_;
  EmulatorOptions options_;
  std::ostream& log_;
  std::unique_ptr<LiveTarget> target_;
  EventsLog events_;
  std::vector<ListenAddress> addresses_;
  std::vector<PortRuntime> ports_rt_;
  std::map<ConnId, std::unique_ptr<Conn>> conns_;
  std::vector<std::pair<ConnId, std::string>> to_close_;
  std::vector<sim::FaultAction> plan_;
  std::vector<std::vector<std::uint32_t>> fault_ports_;  // per fault: the ports it acts on
  std::size_t next_action_ = 0;
  ConnId next_conn_ = 1;
  std::unique_ptr<Ring> ring_;
  int wake_fd_ = -1;
  std::atomic<bool> stop_requested_{false};
  std::int64_t start_ns_ = 0;
  std::int64_t fault_t0_ = 0;           // the fault plan's time 0 (ns since start); -1 = not yet
  std::int64_t next_keep_alive_check_ = 0;
  int protocol_errors_ = 0;
  std::int64_t round_t_ = 0;            // the loop round's time (the cached clock)
  models::TransportModel transport_;    // segments per chunk, for the loss draws
  std::vector<LossTiming> loss_timing_; // per port
  std::mt19937_64 loss_rng_;            // the run seed's: the same draws for the same byte stream
  struct LoopCalls {
    std::uint64_t enter = 0, clock = 0, other = 0;  // system calls: ring enters, clock reads, the rest
    std::uint64_t recv = 0, send = 0;               // operations through the ring (no system call each)
  };
  mutable LoopCalls loop_calls_;        // logged at stop
};

}  // namespace mpsim::live
