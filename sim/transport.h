// NVMe/TCP between the hosts and the target model: one connection per host controller, every
// message over the connection's route on the Fabric. It is the engine side of the policies'
// ControllerTransport: connect (SYN, its retry, refusal, timeout), the admin request/reply
// exchanges, I/O capsules there and back, ANA-change AENs and resets (RST). A message on a
// route that lost a component while it was in flight, or dropped by a lossy link, stays with
// its sender, which sends it again on Linux TCP's schedule (sim/tcp.h, sim/tcp_transport.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/transport.h"
#include "policies/controller.h"
#include "sim/fabric.h"
#include "sim/io_slot.h"
#include "sim/scenario.h"
#include "sim/scheduler.h"
#include "sim/target_model.h"
#include "sim/tcp.h"

namespace mpsim::sim {

class Transport;

constexpr std::size_t kMaxAdminCommands = 4;  // commands registered with a Transport

// One host controller's connection.
struct Conn {  // what every I/O reads first (epoch .. route), then the rest
  std::uint32_t epoch = 0;             // bumped on every connect / disconnect: older messages are stale
  std::uint8_t tcp_pending = 0;        // tcp_bit()s of the socket directions in loss recovery
  std::uint8_t rtt_ticks = 0;          // I/O completions, every 16th feeds the RTT estimator
  int host = -1;
  std::uint32_t port = 0;              // TargetModel port
  std::uint32_t target_ctrl = 0;       // TargetModel controller id
  Route route;
  std::string name;                    // "<host>/<node>.<port>"
  std::vector<std::uint32_t> grpids;   // ANA groups of its subsystem's namespaces
  std::unique_ptr<policies::Controller> ctrl;
  bool connecting = false;
  bool connect_refused = false;
  bool connect_reached = false;        // a SYN of this attempt reached a live target
  std::array<std::int64_t, kMaxAdminCommands> admin_sent{};  // per admin command: when its request, then its answer, left
  std::array<std::uint32_t, kMaxAdminCommands> answer_bytes{};  // per admin command: its answer's size on the wire
  std::int64_t aen_sent = 0;
  policies::AnaLog reply_log;          // the ANA log in the latest connect or log-read answer
  std::unique_ptr<TcpConn> tcp = std::make_unique<TcpConn>();  // the admin queue's socket, the I/O queues' (cold)
};

class Metrics;

// What TCP recovery did in a run (tests, and the bench's check that healthy runs do none).
struct TcpStats {
  std::uint64_t lost = 0;              // messages lost on the wire (down component or random loss)
  std::uint64_t resends = 0;           // messages sent again
  std::uint64_t rto_backoffs = 0;      // retransmission timeouts that found the route still down
  std::uint64_t give_ups = 0;          // tcp_retries2 exhausted: the socket errored out
  std::uint64_t discarded = 0;         // messages dropped from a retransmit queue by a teardown
};

// The host's side of an I/O leaving on the path its head chose.
class IoHost {
 public:
  virtual ~IoHost() = default;
  // Sets s.conn to the path's connection and charges the host's CPU; returns when the command
  // capsule can go on the wire.
  virtual std::int64_t leave(IoSlot& s) = 0;
  // The command reached the media queue of target node `node` and lands at `lands`; at that
  // time landed() follows, `awaited` false if the host has given up on the attempt meanwhile.
  virtual void at_media(const IoSlot& /*s*/, int /*node*/, std::int64_t /*lands*/) {}
  virtual void landed(std::uint32_t /*slot*/, std::uint32_t /*attempt*/, bool /*awaited*/) {}
};

// One request/reply admin exchange (connect, keep-alive, ANA log read, ...). Transport does
// what every exchange shares: the request crosses the route, stale or lost messages are
// dropped, a target without a controller for the connection answers RST, the answer crosses
// back. A command says only what is its own (admin_commands.cpp).
class AdminCommand {
 public:
  struct Answer {
    std::int64_t leaves;               // when the answer leaves the target
    std::uint64_t payload_bytes;       // data in the response
  };
  virtual ~AdminCommand() = default;
  // The host still waits for it, checked on arrival at the target and back at the host.
  virtual bool awaited(const Conn&) const { return true; }
  // A down target port does not swallow it (connect: the port refuses instead).
  virtual bool passes_down_port(const Conn&, bool /*answer*/) const { return false; }
  // Needs the controller the target holds for the connection, or gets an RST (all but connect).
  virtual bool needs_controller() const { return true; }
  // A lost request or answer is resent by TCP (all but connect, whose SYN has its own retry).
  virtual bool retransmitted() const { return true; }
  // At the target, now: the answer, or none (the target stays silent).
  virtual std::optional<Answer> at_target(Transport& t, std::uint32_t conn) = 0;
  // The answer reached the host.
  virtual void at_host(Transport& t, std::uint32_t conn) = 0;

 private:
  friend class Transport;
  Transport* transport_ = nullptr;
  std::uint8_t index_ = 0;
  EventType request_event_ = 0, answer_event_ = 0;
};

std::unique_ptr<AdminCommand> make_connect_command();
std::unique_ptr<AdminCommand> make_keep_alive_command();
std::unique_ptr<AdminCommand> make_ana_log_command();

class Transport final : public policies::ControllerTransport {
 public:
  // Builds every connection of the topology and its policies::Controller.
  Transport(const Scenario& s, Scheduler& sched, Fabric& fabric, TargetModel& target, IoPool& pool,
            const std::vector<std::uint32_t>& host_cpus, policies::TimerService& timers,
            policies::ControllerObserver& observer, IoHost& host);
  ~Transport() override;
  // Controllers cancel their timers when destroyed: before the timer service goes.
  void destroy_controllers() { conns_.clear(); }

  std::size_t size() const { return conns_.size(); }
  Conn& conn(std::uint32_t c) { return conns_[c]; }
  const Conn& conn(std::uint32_t c) const { return conns_[c]; }
  std::uint32_t conn_of(const policies::Controller& c) const;
  std::uint64_t attempts() const { return attempts_; }  // I/O attempts dispatched

  // ControllerTransport
  void connect(policies::Controller& c) override;
  void send_keep_alive(policies::Controller& c) override;
  void read_ana_log(policies::Controller& c) override;
  void dispatch(policies::IoRequest& io) override;
  void disconnect(policies::Controller& c) override;

  // The target holds this connection's controller.
  bool target_knows(const Conn& c) const { return target_.knows(c.target_ctrl, c.epoch, sched_.now()); }
  // The target answers with a TCP reset; it reaches the host one crossing later.
  void send_reset(std::uint32_t conn);
  // The connection's socket errors out at the host now (carrier loss, or the target's FIN).
  void socket_error_now(std::uint32_t conn);
  // nvmet_port_send_ana_event: an AEN to every controller connected through the port.
  void send_aens(std::uint32_t port);

  // TCP recovery: what it did, and what each connection direction still holds.
  const TcpStats& tcp_stats() const { return tcp_stats_; }
  std::size_t retransmit_queue(std::uint32_t conn) const;
  // The target dropped the connection (its controller forgotten): its sends are discarded.
  void target_closed(std::uint32_t conn);
  void set_metrics(Metrics* m) { metrics_ = m; }

  // For admin commands.
  std::int64_t now() const { return sched_.now(); }
  Fabric& fabric() { return fabric_; }
  TargetModel& target() { return target_; }
  const models::TransportModel& wire() const { return wire_; }
  const models::ModelSet& models() const { return s_.models; }

 private:
  AdminCommand* add_admin(std::unique_ptr<AdminCommand> cmd);
  void send_admin(std::uint32_t conn, AdminCommand& cmd);
  static void admin_request_arrived(void* cmd, std::uint32_t conn, std::uint32_t epoch);
  static void admin_answer_arrived(void* cmd, std::uint32_t conn, std::uint32_t epoch);
  void request_at_target(AdminCommand& cmd, std::uint32_t conn, std::uint32_t epoch);
  void answer_at_host(AdminCommand& cmd, std::uint32_t conn, std::uint32_t epoch);
  // connect's own timers
  void connect_retry(std::uint32_t conn, std::uint32_t epoch);
  void connect_timeout(std::uint32_t conn, std::uint32_t epoch);
  // I/O
  IoSlot* current(std::uint32_t slot, std::uint32_t attempt);
  void io_at_target(std::uint32_t slot, std::uint32_t attempt);
  void media_done(std::uint32_t slot, std::uint32_t attempt);
  void qos_released(std::uint32_t slot, std::uint32_t attempt);  // target QoS let it through
  void to_media(IoSlot& s, std::uint32_t slot, std::uint32_t attempt, std::int64_t t);
  // a command the host gave up on (held by QoS, or arrived after the host closed) goes to the media
  void left_behind_to_media(MediaCommand m, std::int64_t t);
  void io_done(std::uint32_t slot, std::uint32_t attempt);
  // notices from the target
  void aen_arrived(std::uint32_t conn, std::uint32_t epoch);
  void reset_arrived(std::uint32_t conn, std::uint32_t epoch);
  // commands on the wire when the host closes a live connection (transport_teardown.cpp)
  void leave_on_wire(std::uint32_t conn);
  bool tcp_holds(const Conn& c, std::uint32_t slot, std::uint32_t tag) const;
  void left_behind_at_target(std::uint32_t slot, std::uint32_t attempt);
  // a closed connection at the target: its FIN arrives, or its keep-alive timer expires
  void target_lets_go(std::uint32_t conn, std::uint32_t epoch);
  void host_closed(std::uint32_t conn, std::uint32_t epoch);
  void target_kato_expired(std::uint32_t conn, std::uint32_t epoch);
  // TCP (tcp_transport.cpp). passes(): the healthy path, nothing pending and nothing lost.
  bool passes(const Conn& c, TcpSocketKind k, TcpDir d, std::int64_t sent) const {
    return !(c.tcp_pending & tcp_bit(k, d)) && !fabric_.lossy() && !fabric_.lost(c.route, sent);
  }
  // Otherwise: true if the message is delivered now; false if it was lost or waits behind a lost one.
  bool arrives(std::uint32_t conn, TcpSocketKind k, TcpDir d, std::int64_t sent, const TcpMessage& m);
  void arm_tcp_timer(std::uint32_t conn, TcpSocketKind k, TcpDir d, std::int64_t at);
  void tcp_timer(std::uint32_t key, std::uint32_t gen);
  void resend(std::uint32_t conn, TcpSocketKind k, TcpDir d);
  void restamp(Conn& c, const TcpMessage& m, std::int64_t now);
  static bool released(TcpSocket& sock, TcpDir d, std::int64_t sent, const TcpMessage& m);
  std::uint32_t segments_on_wire(const TcpSocket& sock, TcpDir d, std::int64_t sent, const TcpMessage& m) const;
  void rtt_sample(Conn& c, TcpSocketKind k, std::int64_t one_way_ns);
  void discard_tcp(std::uint32_t conn, bool host_side, bool target_side, const char* why);

  const Scenario& s_;
  Scheduler& sched_;
  Fabric& fabric_;
  TargetModel& target_;
  IoPool& pool_;
  IoHost& host_;
  models::TransportModel wire_;
  std::vector<Conn> conns_;
  std::map<const policies::Controller*, std::uint32_t> conn_by_ctrl_;
  std::vector<std::unique_ptr<AdminCommand>> admin_;
  AdminCommand* connect_cmd_ = nullptr;
  AdminCommand* keep_alive_cmd_ = nullptr;
  AdminCommand* ana_log_cmd_ = nullptr;
  EventType io_at_target_, media_done_, io_done_, connect_retry_, connect_timeout_, aen_, reset_, tcp_timer_, qos_released_,
      host_closed_, target_kato_;
  std::uint64_t attempts_ = 0;
  TcpStats tcp_stats_;
  Metrics* metrics_ = nullptr;
};

}  // namespace mpsim::sim
