// The admin side of each connection: connect, keep-alive, ANA log reads, ANA-change AENs and
// connection resets (RST). Every message crosses the connection's route; a message on a
// route that lost a component while it was in flight is dropped without a word.
#include <stdexcept>

#include "sim/world.h"

namespace mpsim::sim {

namespace {

constexpr std::uint64_t kAnaDescriptorBytes = 8 + 4;  // descriptor header + one NSID

}  // namespace

// The target holds this connection: accepted it, not torn down since, and not rebooted.
bool World::target_knows(const Conn& c) const {
  return c.target_epoch == c.epoch && c.target_generation == nodes_[c.route.node].generation;
}

// The target answers a message on a connection it does not know with a TCP reset.
void World::send_reset(std::uint32_t conn) {
  Conn& c = conns_[conn];
  if (!fabric_.route_up(c.route)) return;
  const std::int64_t at = fabric_.send(c.route, false, transport_.on_wire(0), now_);
  cal_.push(at, EventKind::Reset, conn, c.epoch);
}

void World::reset_arrived(std::uint32_t conn, std::uint32_t epoch) {
  Conn& c = conns_[conn];
  if (epoch != c.epoch) return;
  if (c.connecting) return connect_timeout(conn, epoch);
  c.ctrl->on_transport_error();
}

policies::AnaLog World::ana_log_for(const Conn& c) const {
  policies::AnaLog log;
  for (std::uint32_t g : c.grpids) log.push_back({g, to_policies(ports_[c.port].state(g))});
  return log;
}

void World::connect(policies::Controller& ctrl) {
  const std::uint32_t conn = conn_of(ctrl);
  Conn& c = conns_[conn];
  ++c.epoch;
  c.connecting = true;
  c.connect_refused = false;
  c.connect_reached = false;
  const auto timeout = std::int64_t(s_.models.transport.connect_timeout_s * 1e9);
  cal_.push(now_ + timeout, EventKind::ConnectTimeout, conn, c.epoch);
  const auto retry = std::int64_t(s_.models.transport.syn_retry_s * 1e9);
  if (retry > 0 && retry < timeout) cal_.push(now_ + retry, EventKind::ConnectRetry, conn, c.epoch);
  send_syn(conn);
}

void World::send_syn(std::uint32_t conn) {
  Conn& c = conns_[conn];
  c.connect_sent = now_;
  const std::int64_t at = fabric_.send(c.route, true, transport_.admin_bytes(), now_);
  cal_.push(at, EventKind::ConnectAtTarget, conn, c.epoch);
}

// A SYN that found no live target went unanswered: TCP sends it once more, and a path that came
// back meanwhile connects on it.
void World::connect_retry(std::uint32_t conn, std::uint32_t epoch) {
  Conn& c = conns_[conn];
  if (epoch != c.epoch || !c.connecting || c.connect_reached) return;
  send_syn(conn);
}

void World::connect_at_target(std::uint32_t conn, std::uint32_t epoch) {
  Conn& c = conns_[conn];
  if (epoch != c.epoch || !c.connecting) return;
  if (fabric_.lost(c.route, c.connect_sent, /*ignore_port=*/true)) return;  // the retry or the timeout follows
  std::int64_t t = now_;
  if (!fabric_.comp(c.route.port_comp).up()) {
    if (!ports_[c.port].refuses_while_down) return;  // a silently dead port: the retry or timeout follows
    c.connect_reached = true;
    c.connect_refused = true;  // nothing listens: "connection refused"
  } else {
    c.connect_reached = true;
    c.target_epoch = epoch;
    c.target_generation = nodes_[c.route.node].generation;
    c.reply_log = ana_log_for(c);
    t = nodes_[c.route.node].cpu.run(t, models::cpu_cost_ns(s_.models.target_cpu, 0));
    for (std::uint32_t r = 1; r < s_.models.transport.connect_round_trips; ++r) {
      t = fabric_.send(c.route, false, transport_.admin_bytes(), t);
      t = fabric_.send(c.route, true, transport_.admin_bytes(), t);
    }
  }
  t = fabric_.send(c.route, false, transport_.admin_response_bytes(0), t);
  cal_.push(t, EventKind::ConnectReply, conn, epoch);
}

void World::connect_reply(std::uint32_t conn, std::uint32_t epoch) {
  Conn& c = conns_[conn];
  if (epoch != c.epoch || !c.connecting) return;
  if (fabric_.lost(c.route, c.connect_sent, /*ignore_port=*/c.connect_refused)) return;
  c.connecting = false;
  if (c.connect_refused) return c.ctrl->on_connect_done(false, {});
  c.ctrl->on_connect_done(true, c.reply_log);
}

void World::connect_timeout(std::uint32_t conn, std::uint32_t epoch) {
  Conn& c = conns_[conn];
  if (epoch != c.epoch || !c.connecting) return;
  c.connecting = false;
  c.ctrl->on_connect_done(false, {});
}

void World::disconnect(policies::Controller& ctrl) {
  Conn& c = conns_[conn_of(ctrl)];
  ++c.epoch;  // every message of the old connection is now stale
  c.connecting = false;
  c.target_epoch = 0;
}

void World::send_keep_alive(policies::Controller& ctrl) {
  const std::uint32_t conn = conn_of(ctrl);
  Conn& c = conns_[conn];
  c.ka_sent = now_;
  const std::int64_t at = fabric_.send(c.route, true, transport_.admin_bytes(), now_);
  cal_.push(at, EventKind::KeepAliveAtTarget, conn, c.epoch);
}

void World::keep_alive_at_target(std::uint32_t conn, std::uint32_t epoch) {
  Conn& c = conns_[conn];
  if (epoch != c.epoch || fabric_.lost(c.route, c.ka_sent)) return;
  if (!target_knows(c)) return send_reset(conn);
  const std::int64_t at = fabric_.send(c.route, false, transport_.admin_response_bytes(0), now_);
  cal_.push(at, EventKind::KeepAliveReply, conn, epoch);
}

void World::keep_alive_reply(std::uint32_t conn, std::uint32_t epoch) {
  Conn& c = conns_[conn];
  if (epoch != c.epoch || fabric_.lost(c.route, c.ka_sent)) return;
  c.ctrl->on_keep_alive_done();
}

void World::read_ana_log(policies::Controller& ctrl) {
  const std::uint32_t conn = conn_of(ctrl);
  Conn& c = conns_[conn];
  c.log_sent = now_;
  const std::int64_t at = fabric_.send(c.route, true, transport_.admin_bytes(), now_);
  cal_.push(at, EventKind::AnaLogAtTarget, conn, c.epoch);
}

void World::ana_log_at_target(std::uint32_t conn, std::uint32_t epoch) {
  Conn& c = conns_[conn];
  if (epoch != c.epoch || fabric_.lost(c.route, c.log_sent)) return;
  if (!target_knows(c)) return send_reset(conn);
  c.reply_log = ana_log_for(c);
  const std::uint64_t bytes = 16 + kAnaDescriptorBytes * c.reply_log.size();
  const std::int64_t at = fabric_.send(c.route, false, transport_.admin_response_bytes(bytes), now_);
  cal_.push(at, EventKind::AnaLogReply, conn, epoch);
}

void World::ana_log_reply(std::uint32_t conn, std::uint32_t epoch) {
  Conn& c = conns_[conn];
  if (epoch != c.epoch || fabric_.lost(c.route, c.log_sent)) return;
  c.ctrl->on_ana_log(c.reply_log);
}

// nvmet_port_send_ana_event: an AEN to every controller connected through the port.
void World::send_aens(std::uint32_t port) {
  for (std::uint32_t conn : ports_[port].conns) {
    Conn& c = conns_[conn];
    if (!target_knows(c) || !fabric_.route_up(c.route)) continue;
    c.aen_sent = now_;
    const std::int64_t at = fabric_.send(c.route, false, transport_.admin_response_bytes(0), now_);
    cal_.push(at, EventKind::Aen, conn, c.epoch);
  }
}

void World::aen(std::uint32_t conn, std::uint32_t epoch) {
  Conn& c = conns_[conn];
  if (epoch != c.epoch || fabric_.lost(c.route, c.aen_sent)) return;
  c.ctrl->on_ana_change_notice();
}

}  // namespace mpsim::sim
