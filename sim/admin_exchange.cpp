// The admin request/reply exchange, once for every command, and the commands themselves:
// connect, keep-alive, ANA log read. A new admin command is one AdminCommand here plus the
// ControllerTransport call that sends it (transport.h/.cpp).
#include <algorithm>
#include <stdexcept>

#include "sim/transport.h"

namespace mpsim::sim {

// ---- the exchange -----------------------------------------------------------------------

AdminCommand* Transport::add_admin(std::unique_ptr<AdminCommand> cmd) {
  if (admin_.size() >= kMaxAdminCommands) throw std::logic_error("transport: too many admin commands");
  cmd->transport_ = this;
  cmd->index_ = std::uint8_t(admin_.size());
  cmd->request_event_ = sched_.add_handler(cmd.get(), &Transport::admin_request_arrived);
  cmd->answer_event_ = sched_.add_handler(cmd.get(), &Transport::admin_answer_arrived);
  admin_.push_back(std::move(cmd));
  return admin_.back().get();
}

void Transport::send_admin(std::uint32_t conn, AdminCommand& cmd) {
  Conn& c = conns_[conn];
  c.admin_sent[cmd.index_] = sched_.now();
  const std::int64_t at = fabric_.send(c.route, true, wire_.admin_bytes(), sched_.now());
  sched_.at(at, cmd.request_event_, conn, c.epoch);
}

void Transport::admin_request_arrived(void* cmd, std::uint32_t conn, std::uint32_t epoch) {
  auto* command = static_cast<AdminCommand*>(cmd);
  command->transport_->request_at_target(*command, conn, epoch);
}

void Transport::admin_answer_arrived(void* cmd, std::uint32_t conn, std::uint32_t epoch) {
  auto* command = static_cast<AdminCommand*>(cmd);
  command->transport_->answer_at_host(*command, conn, epoch);
}

void Transport::request_at_target(AdminCommand& cmd, std::uint32_t conn, std::uint32_t epoch) {
  Conn& c = conns_[conn];
  if (epoch != c.epoch || !cmd.awaited(c)) return;
  std::int64_t& sent = c.admin_sent[cmd.index_];
  if (!cmd.retransmitted()) {
    if (fabric_.lost(c.route, sent, cmd.passes_down_port(c, false))) return;
  } else if (!passes(c, TcpSocketKind::Admin, kToTarget, sent) &&
             !arrives(conn, TcpSocketKind::Admin, kToTarget, sent,
                      TcpMessage{cmd.request_event_, TcpStamp::Admin, cmd.index_, conn, epoch, std::uint32_t(wire_.admin_bytes())})) {
    return;  // lost: TCP sends it again
  }
  if (cmd.needs_controller() && !target_knows(c)) return send_reset(conn);
  if (cmd.needs_controller()) target_.command(c.target_ctrl, now());  // nvmet_req_init: reset_tbkas
  const std::optional<AdminCommand::Answer> answer = cmd.at_target(*this, conn);
  if (!answer) return;  // silence: the host's retry or timeout follows
  const std::uint64_t bytes = wire_.admin_response_bytes(answer->payload_bytes);
  c.answer_bytes[cmd.index_] = std::uint32_t(bytes);
  if (cmd.retransmitted()) sent = answer->leaves;  // from now on the stamp is the answer's
  const std::int64_t at = fabric_.send(c.route, false, bytes, answer->leaves);
  sched_.at(at, cmd.answer_event_, conn, epoch);
}

void Transport::answer_at_host(AdminCommand& cmd, std::uint32_t conn, std::uint32_t epoch) {
  Conn& c = conns_[conn];
  if (epoch != c.epoch || !cmd.awaited(c)) return;
  const std::int64_t sent = c.admin_sent[cmd.index_];
  if (!cmd.retransmitted()) {
    if (fabric_.lost(c.route, sent, cmd.passes_down_port(c, true))) return;
    // The handshake's round trips give both new sockets their first RTT sample.
    const std::int64_t one_way = (now() - sent) / (2 * std::max<std::int64_t>(1, s_.models.transport.connect_round_trips));
    for (TcpSocketKind k : {TcpSocketKind::Admin, TcpSocketKind::Io}) rtt_sample(c, k, one_way);
  } else {
    if (!passes(c, TcpSocketKind::Admin, kToHost, sent) &&
        !arrives(conn, TcpSocketKind::Admin, kToHost, sent,
                 TcpMessage{cmd.answer_event_, TcpStamp::Admin, cmd.index_, conn, epoch, c.answer_bytes[cmd.index_]}))
      return;
    rtt_sample(c, TcpSocketKind::Admin, now() - sent);
  }
  cmd.at_host(*this, conn);
}

// ---- the commands -----------------------------------------------------------------------

namespace {

constexpr std::uint64_t kAnaLogHeaderBytes = 16;
constexpr std::uint64_t kAnaDescriptorBytes = 8 + 4;  // descriptor header + one NSID

// The TCP handshake and the fabrics Connect, `connect_round_trips` exchanges in all, with the
// ANA log in the reply. A SYN that meets a port taken down with IMMEDIATE detection is refused
// at once (RST); one that meets a silent port or route is lost (the retry or timeout follows).
class ConnectCommand final : public AdminCommand {
 public:
  bool awaited(const Conn& c) const override { return c.connecting; }
  bool passes_down_port(const Conn& c, bool answer) const override { return !answer || c.connect_refused; }
  bool needs_controller() const override { return false; }
  bool retransmitted() const override { return false; }

  std::optional<Answer> at_target(Transport& t, std::uint32_t conn) override {
    Conn& c = t.conn(conn);
    std::int64_t at = t.now();
    if (!t.fabric().comp(c.route.port_comp).up()) {
      if (!t.target().port(c.port).refuses_while_down) return std::nullopt;  // a silently dead port
      c.connect_reached = true;
      c.connect_refused = true;  // nothing listens: "connection refused"
      return Answer{at, 0};
    }
    c.connect_reached = true;
    t.target().accept(c.target_ctrl, c.epoch, at);
    c.reply_log = t.target().ana_log(c.port, c.grpids);
    at = t.target().run_admin_cpu(c.target_ctrl, at, models::cpu_cost_ns(t.models().target_cpu, 0));
    for (std::uint32_t r = 1; r < t.models().transport.connect_round_trips; ++r) {
      at = t.fabric().send(c.route, false, t.wire().admin_bytes(), at);
      at = t.fabric().send(c.route, true, t.wire().admin_bytes(), at);
    }
    return Answer{at, 0};
  }

  void at_host(Transport& t, std::uint32_t conn) override {
    Conn& c = t.conn(conn);
    c.connecting = false;
    if (c.connect_refused) return c.ctrl->on_connect_done(false, {});
    c.ctrl->on_connect_done(true, c.reply_log);
  }
};

// A small command, answered unless lost.
class KeepAliveCommand final : public AdminCommand {
 public:
  std::optional<Answer> at_target(Transport& t, std::uint32_t conn) override {
    t.target().command(t.conn(conn).target_ctrl, t.now(), true);  // nvmet_execute_keep_alive re-arms kato
    return Answer{t.now(), 0};
  }
  void at_host(Transport& t, std::uint32_t conn) override { t.conn(conn).ctrl->on_keep_alive_done(); }
};

// Get Log Page (ANA): the log is computed per port when the command reaches the target.
class AnaLogCommand final : public AdminCommand {
 public:
  std::optional<Answer> at_target(Transport& t, std::uint32_t conn) override {
    Conn& c = t.conn(conn);
    c.reply_log = t.target().ana_log(c.port, c.grpids);
    return Answer{t.now(), kAnaLogHeaderBytes + kAnaDescriptorBytes * c.reply_log.size()};
  }
  void at_host(Transport& t, std::uint32_t conn) override {
    Conn& c = t.conn(conn);
    c.ctrl->on_ana_log(c.reply_log);
  }
};

}  // namespace

std::unique_ptr<AdminCommand> make_connect_command() { return std::make_unique<ConnectCommand>(); }
std::unique_ptr<AdminCommand> make_keep_alive_command() { return std::make_unique<KeepAliveCommand>(); }
std::unique_ptr<AdminCommand> make_ana_log_command() { return std::make_unique<AnaLogCommand>(); }

}  // namespace mpsim::sim
