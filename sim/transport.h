// NVMe/TCP between the hosts and the target model: one connection per host controller, every
// message over the connection's route on the Fabric. It is the engine side of the policies'
// ControllerTransport: connect (SYN, its retry, refusal, timeout), the admin request/reply
// exchanges, I/O capsules there and back, ANA-change AENs and resets (RST). A message on a
// route that lost a component while it was in flight is dropped without a word. (TCP's own
// recovery, retransmission, belongs here when it is modelled.)
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

namespace mpsim::sim {

class Transport;

constexpr std::size_t kMaxAdminCommands = 4;  // commands registered with a Transport

// One host controller's connection.
struct Conn {
  std::string name;                    // "<host>/<node>.<port>"
  int host = -1;
  std::uint32_t port = 0;              // TargetModel port
  std::uint32_t target_ctrl = 0;       // TargetModel controller id
  Route route;
  std::vector<std::uint32_t> grpids;   // ANA groups of its subsystem's namespaces
  std::unique_ptr<policies::Controller> ctrl;
  std::uint32_t epoch = 0;             // bumped on every connect / disconnect: older messages are stale
  bool connecting = false;
  bool connect_refused = false;
  bool connect_reached = false;        // a SYN of this attempt reached a live target
  std::array<std::int64_t, kMaxAdminCommands> admin_sent{};  // per admin command: when its latest request left
  std::int64_t aen_sent = 0;
  policies::AnaLog reply_log;          // the ANA log in the latest connect or log-read answer
};

// The host's side of an I/O leaving on the path its head chose.
class IoHost {
 public:
  virtual ~IoHost() = default;
  // Sets s.conn to the path's connection and charges the host's CPU; returns when the command
  // capsule can go on the wire.
  virtual std::int64_t leave(IoSlot& s) = 0;
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
  bool target_knows(const Conn& c) const { return target_.knows(c.target_ctrl, c.epoch); }
  // The target answers with a TCP reset; it reaches the host one crossing later.
  void send_reset(std::uint32_t conn);
  // The connection's socket errors out at the host now (carrier loss, or the target's FIN).
  void socket_error_now(std::uint32_t conn);
  // nvmet_port_send_ana_event: an AEN to every controller connected through the port.
  void send_aens(std::uint32_t port);

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
  void io_done(std::uint32_t slot, std::uint32_t attempt);
  // notices from the target
  void aen_arrived(std::uint32_t conn, std::uint32_t epoch);
  void reset_arrived(std::uint32_t conn, std::uint32_t epoch);

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
  EventType io_at_target_, media_done_, io_done_, connect_retry_, connect_timeout_, aen_, reset_, qos_released_;
  std::uint64_t attempts_ = 0;
};

}  // namespace mpsim::sim
