#include "sim/transport.h"

#include <algorithm>
#include <cstddef>
#include <stdexcept>

#include "policies/namespace_head.h"
#include "policies/path.h"
#include "sim/metrics.h"
#include "topologies/topology.h"

namespace mpsim::sim {

namespace {

policies::Duration seconds(double s) {
  return std::chrono::duration_cast<policies::Duration>(std::chrono::duration<double>(s));
}

// nvme connect options over the kernel's defaults (ControllerConfig's own); an unset
// nr_io_queues means one queue per host CPU. (topology::effective_options says the same, but
// looks the host up by name for every connection.)
policies::ControllerConfig controller_config(const topology::ConnectOptions& o, const topology::Host& host,
                                             std::uint32_t host_cpus) {
  policies::ControllerConfig cfg;
  if (o.has_kato_s()) cfg.kato = seconds(o.kato_s());
  if (o.has_reconnect_delay_s()) cfg.reconnect_delay = seconds(o.reconnect_delay_s());
  if (o.has_ctrl_loss_tmo_s()) cfg.ctrl_loss_tmo = seconds(o.ctrl_loss_tmo_s());
  if (o.has_fast_io_fail_tmo_s()) cfg.fast_io_fail_tmo = seconds(o.fast_io_fail_tmo_s());
  if (o.has_io_timeout_s()) cfg.io_timeout = seconds(o.io_timeout_s());
  if (o.has_admin_timeout_s()) cfg.admin_timeout = seconds(o.admin_timeout_s());
  if (o.has_queue_size()) cfg.queue_size = o.queue_size();
  cfg.nr_io_queues = o.has_nr_io_queues() ? o.nr_io_queues() : policies::kernel_defaults::nr_io_queues(host_cpus);
  cfg.tbkas = true;  // every target is nvmet, which advertises CTRATT.TBKAS (admin-cmd.c)
  if (host.kernel_hz() != 0) cfg.request_timer.hz = host.kernel_hz();  // else the policies' default
  return cfg;
}

}  // namespace

Transport::Transport(const Scenario& s, Scheduler& sched, Fabric& fabric, TargetModel& target, IoPool& pool,
                     const std::vector<std::uint32_t>& host_cpus, policies::TimerService& timers,
                     policies::ControllerObserver& observer, IoHost& host)
    : s_(s), sched_(sched), fabric_(fabric), target_(target), pool_(pool), host_(host), wire_(s.models.transport),
      io_at_target_(sched.add<&Transport::io_at_target>(this)),
      media_done_(sched.add<&Transport::media_done>(this)),
      io_done_(sched.add<&Transport::io_done>(this)),
      connect_retry_(sched.add<&Transport::connect_retry>(this)),
      connect_timeout_(sched.add<&Transport::connect_timeout>(this)),
      aen_(sched.add<&Transport::aen_arrived>(this)),
      reset_(sched.add<&Transport::reset_arrived>(this)),
      tcp_timer_(sched.add<&Transport::tcp_timer>(this)),
      qos_released_(sched.add<&Transport::qos_released>(this)),
      host_closed_(sched.add<&Transport::host_closed>(this)),
      target_kato_(sched.add<&Transport::target_kato_expired>(this)) {
  connect_cmd_ = add_admin(make_connect_command());
  keep_alive_cmd_ = add_admin(make_keep_alive_command());
  ana_log_cmd_ = add_admin(make_ana_log_command());

  const auto& topo = s.topology;
  std::map<std::string, int> name_count;
  for (const auto& c : topo.connections()) ++name_count[c.host() + "/" + c.port()];
  std::map<std::string, int> host_index;
  for (int h = 0; h < topo.hosts_size(); ++h) host_index[topo.hosts(h).name()] = h;
  for (const auto& c : topo.connections()) {
    Conn k;
    auto found = host_index.find(c.host());
    k.host = found == host_index.end() ? -1 : found->second;
    if (k.host < 0) throw std::invalid_argument("connection: unknown host \"" + c.host() + "\"");
    k.name = c.host() + "/" + c.port();
    if (name_count[k.name] > 1) k.name += "/" + c.nqn();
    k.route = fabric.route(c);
    k.port = target.find_port(fabric.comp(*fabric.find(c.port())).name).value();
    const auto* sub = topology::find_subsystem(topo, c.nqn());
    if (!sub) throw std::invalid_argument("connection " + k.name + ": unknown subsystem \"" + c.nqn() + "\"");
    for (const auto& ns : sub->namespaces()) k.grpids.push_back(ns.ana_grpid());
    std::sort(k.grpids.begin(), k.grpids.end());
    k.grpids.erase(std::unique(k.grpids.begin(), k.grpids.end()), k.grpids.end());
    policies::ControllerConfig cfg = controller_config(c.options(), topo.hosts(k.host), host_cpus[k.host]);
    cfg.anatt = target.anatt(c.nqn());  // Identify Controller, read at connect
    k.target_ctrl = target.add_controller(k.port, cfg.nr_io_queues, cfg.kato.count());
    conns_.push_back(std::move(k));
    Conn& stored = conns_.back();
    stored.ctrl = std::make_unique<policies::Controller>(stored.name, cfg, timers, *this, &observer);
  }
  for (std::uint32_t i = 0; i < conns_.size(); ++i) conn_by_ctrl_[conns_[i].ctrl.get()] = i;
}

Transport::~Transport() = default;

std::uint32_t Transport::conn_of(const policies::Controller& c) const {
  auto it = conn_by_ctrl_.find(&c);
  if (it == conn_by_ctrl_.end()) throw std::logic_error("transport: unknown controller " + c.name());
  return it->second;
}

// ---- I/O: command capsule -> target (CPU, ANA check, R2T, media) -> response -------------

void Transport::dispatch(policies::IoRequest& io) {
  IoSlot& s = *static_cast<IoSlot*>(io.user);
  const std::int64_t leaves = host_.leave(s);
  Conn& c = conns_[s.conn];
  s.epoch = c.epoch;
  s.sent = sched_.now();
  ++attempts_;
  s.tag = std::uint32_t(attempts_);  // this attempt's events (a slot is reused: its attempt numbers restart)
  const bool read = io.dir == policies::IoDirection::Read;
  const std::int64_t at = fabric_.send(c.route, true, pool_.profile(s.job).wire[read].command_bytes, leaves);
  sched_.at(at, io_at_target_, pool_.index(s), s.tag);
}

IoSlot* Transport::current(std::uint32_t slot, std::uint32_t tag) {
  IoSlot& s = pool_.at(slot);
  if (!s.live || s.tag != tag || s.epoch != conns_[s.conn].epoch) return nullptr;
  return &s;
}

// From here on `sent` stamps the message in flight: the command, then the response (for a write
// with an R2T, from the R2T on: the exchange is not checked hop by hop).
void Transport::io_at_target(std::uint32_t slot, std::uint32_t attempt) {
  IoSlot* s = current(slot, attempt);
  if (!s) {  // the host closed its connection meanwhile: a command already sent still gets there
    if (target_.any_on_wire()) left_behind_at_target(slot, attempt);
    return;
  }
  Conn& c = conns_[s->conn];
  const bool read = s->req.dir == policies::IoDirection::Read;
  const IoProfile& p = pool_.profile(s->job);
  if (!passes(c, TcpSocketKind::Io, kToTarget, s->sent) &&
      !arrives(s->conn, TcpSocketKind::Io, kToTarget, s->sent,
               TcpMessage{io_at_target_, TcpStamp::Io, 0, slot, attempt, std::uint32_t(p.wire[read].command_bytes)}))
    return;  // lost: its sender sends it again; the host's timers may notice first
  if (!target_knows(c)) return send_reset(s->conn);
  target_.command(c.target_ctrl, sched_.now());  // resets nvmet's keep-alive timer (TBKAS)
  std::int64_t t = target_.run_io_cpu(c.target_ctrl, s->job, sched_.now(), p.target_cpu_ns[read]);
  s->status = target_.check_ana(c.port, p.grpid);
  if (!s->status.ok()) {  // failed before the media: the response goes straight back
    const std::int64_t back = fabric_.send(c.route, false, wire_.on_wire(s_.models.transport.response_bytes), t);
    s->sent = t;
    sched_.at(back, io_done_, slot, attempt);
    return;
  }
  const models::WireCost& w = p.wire[read];
  if (w.r2t_bytes) {  // write data beyond inline_data_size waits for an R2T round trip
    s->sent = t;
    t = fabric_.send(c.route, false, w.r2t_bytes, t);
    t = fabric_.send(c.route, true, w.h2c_bytes, t);
  }
  // SPDK QoS queues it until its timeslice (target_capacity.h); the media sees it only then.
  const std::int64_t admitted = target_.admit(p.media, t, read, s->req.bytes);
  if (admitted > t) {
    target_.hold(MediaCommand{slot, attempt, s->sent, 0, c.route.node, 0, s->conn, p.media, s->req.id, 0,
                              s->req.offset, s->req.bytes, !read});
    return sched_.at(admitted, qos_released_, slot, attempt);
  }
  to_media(*s, slot, attempt, t);
}

// nvmet submitted the command before QoS held it: if the host gave up on it meanwhile it still
// reaches the media, and its landing is reported like any command left behind.
void Transport::qos_released(std::uint32_t slot, std::uint32_t attempt) {
  std::optional<MediaCommand> held = target_.unhold(slot, attempt);
  if (IoSlot* s = current(slot, attempt)) return to_media(*s, slot, attempt, sched_.now());
  if (held) left_behind_to_media(*held, sched_.now());  // none: its node went down meanwhile
}

// Its landing is reported like any command left behind (media_done finds no current slot).
void Transport::left_behind_to_media(MediaCommand m, std::int64_t t) {
  m.lands = target_.serve_media(m.media, t, !m.write, m.bytes);
  target_.admit(m);
  sched_.at(m.lands, media_done_, m.slot, m.attempt);
}

// From here the command keeps its media time whatever the host does (host_.at_media tracks it).
void Transport::to_media(IoSlot& s, std::uint32_t slot, std::uint32_t attempt, std::int64_t t) {
  const bool read = s.req.dir == policies::IoDirection::Read;
  const std::int64_t lands = target_.serve_media(pool_.profile(s.job).media, t, read, s.req.bytes);
  host_.at_media(s, conns_[s.conn].route.node, lands);
  sched_.at(lands, media_done_, slot, attempt);
}

void Transport::media_done(std::uint32_t slot, std::uint32_t attempt) {
  IoSlot* s = current(slot, attempt);
  host_.landed(slot, attempt, s != nullptr);  // it reached the media even if the host gave up
  if (!s) return;
  const Conn& c = conns_[s->conn];
  const bool read = s->req.dir == policies::IoDirection::Read;
  if (!pool_.profile(s->job).wire[read].r2t_bytes) s->sent = sched_.now();
  const std::int64_t back = fabric_.send(c.route, false, pool_.profile(s->job).wire[read].response_bytes, sched_.now());
  sched_.at(back, io_done_, slot, attempt);
}

void Transport::io_done(std::uint32_t slot, std::uint32_t attempt) {
  IoSlot* s = current(slot, attempt);
  if (!s) return;
  Conn& c = conns_[s->conn];
  if (!passes(c, TcpSocketKind::Io, kToHost, s->sent)) {
    const bool read = s->req.dir == policies::IoDirection::Read;
    const auto bytes = std::uint32_t(s->status.ok() ? pool_.profile(s->job).wire[read].response_bytes
                                                    : wire_.on_wire(s_.models.transport.response_bytes));
    if (!arrives(s->conn, TcpSocketKind::Io, kToHost, s->sent, TcpMessage{io_done_, TcpStamp::Io, 0, slot, attempt, bytes}))
      return;
  }
  if ((++c.rtt_ticks & 15) == 0) rtt_sample(c, TcpSocketKind::Io, sched_.now() - s->sent);  // a sample in 16 keeps the cost off the I/O path
  s->req.path->head->complete(s->req, s->status);
}

// ---- connections ------------------------------------------------------------------------

void Transport::connect(policies::Controller& ctrl) {
  const std::uint32_t conn = conn_of(ctrl);
  Conn& c = conns_[conn];
  discard_tcp(conn, true, true, "a new connection");
  c.tcp->reset();  // new sockets
  ++c.epoch;
  c.connecting = true;
  c.connect_refused = false;
  c.connect_reached = false;
  const auto timeout = std::int64_t(s_.models.transport.connect_timeout_s * 1e9);
  sched_.at(sched_.now() + timeout, connect_timeout_, conn, c.epoch);
  const auto retry = std::int64_t(s_.models.transport.syn_retry_s * 1e9);
  if (retry > 0 && retry < timeout) sched_.at(sched_.now() + retry, connect_retry_, conn, c.epoch);
  send_admin(conn, *connect_cmd_);
}

// A SYN that found no live target went unanswered: TCP sends it once more, and a path that came
// back meanwhile connects on it.
void Transport::connect_retry(std::uint32_t conn, std::uint32_t epoch) {
  Conn& c = conns_[conn];
  if (epoch != c.epoch || !c.connecting || c.connect_reached) return;
  send_admin(conn, *connect_cmd_);
}

void Transport::connect_timeout(std::uint32_t conn, std::uint32_t epoch) {
  Conn& c = conns_[conn];
  if (epoch != c.epoch || !c.connecting) return;
  c.connecting = false;
  c.ctrl->on_connect_done(false, {});
}

void Transport::disconnect(policies::Controller& ctrl) {
  const std::uint32_t conn = conn_of(ctrl);
  Conn& c = conns_[conn];
  leave_on_wire(conn);  // what was sent goes ahead of the FIN
  discard_tcp(conn, true, true, "teardown");  // nvme-tcp closes its sockets without linger
  const std::uint32_t closed = c.epoch;
  ++c.epoch;  // every message of the old connection is now stale
  c.connecting = false;
  target_lets_go(conn, closed);
}

// The target hears of a closed connection only from the wire (nvmet_tcp_state_change on the FIN
// or RST: nvmet_tcp_schedule_release_queue). Until then it keeps the controller and what it
// holds. On a dead route nothing reaches it, and it lets go when its own keep-alive timer expires
// (nvmet_keep_alive_timer -> nvmet_ctrl_fatal_error). Simplified: a target with responses to
// retransmit would hear the host's RST sooner once the route returns; here only its timer ends it.
void Transport::target_lets_go(std::uint32_t conn, std::uint32_t epoch) {
  const Conn& c = conns_[conn];
  if (!target_.knows(c.target_ctrl, epoch)) return;  // it let go already (reset, crash)
  if (fabric_.route_up(c.route)) {
    const std::int64_t at = fabric_.send(c.route, true, wire_.on_wire(0), sched_.now());
    return sched_.at(at, host_closed_, conn, epoch);
  }
  if (target_.keep_alive().kato_ns(c.target_ctrl) == 0) return;  // no timer: it holds the controller
  sched_.at(std::max(sched_.now(), target_.keep_alive().expires(c.target_ctrl)), target_kato_, conn, epoch);
}

void Transport::host_closed(std::uint32_t conn, std::uint32_t epoch) {
  const Conn& c = conns_[conn];
  if (!target_.knows(c.target_ctrl, epoch)) return;  // a reconnect replaced it, or its node crashed
  target_.forget(c.target_ctrl);
}

void Transport::target_kato_expired(std::uint32_t conn, std::uint32_t epoch) {
  const Conn& c = conns_[conn];
  if (!target_.knows(c.target_ctrl, epoch)) return;
  target_.forget(c.target_ctrl);
  if (metrics_ && target_.keep_alive().newly_expired(c.target_ctrl, sched_.now()))
    metrics_->event(sched_.now(), "nvmet", c.name, "keep-alive timer (" +
                    std::to_string(target_.keep_alive().kato_ns(c.target_ctrl) / 1'000'000'000) +
                    " s) expired after the host's connection died silently: controller torn down");
}

void Transport::send_keep_alive(policies::Controller& ctrl) { send_admin(conn_of(ctrl), *keep_alive_cmd_); }

void Transport::read_ana_log(policies::Controller& ctrl) { send_admin(conn_of(ctrl), *ana_log_cmd_); }

void Transport::send_reset(std::uint32_t conn) {
  Conn& c = conns_[conn];
  if (metrics_ && target_.keep_alive().newly_expired(c.target_ctrl, sched_.now()))  // nvmet's own kato timer
    metrics_->event(sched_.now(), "nvmet", c.name, "keep-alive timer expired at " +
                    std::to_string(target_.keep_alive().expires(c.target_ctrl) / 1'000'000) + " ms: controller torn down");
  if (!fabric_.route_up(c.route)) return;
  const std::int64_t at = fabric_.send(c.route, false, wire_.on_wire(0), sched_.now());
  sched_.at(at, reset_, conn, c.epoch);
}

void Transport::socket_error_now(std::uint32_t conn) { sched_.at(sched_.now(), reset_, conn, conns_[conn].epoch); }

void Transport::reset_arrived(std::uint32_t conn, std::uint32_t epoch) {
  Conn& c = conns_[conn];
  if (epoch != c.epoch) return;
  if (c.connecting) return connect_timeout(conn, epoch);
  c.ctrl->on_transport_error();
}

void Transport::send_aens(std::uint32_t port) {
  for (std::uint32_t ctrl : target_.port(port).controllers) {
    const std::uint32_t conn = ctrl;  // controller ids are connection indices (added in order)
    Conn& c = conns_[conn];
    if (!target_knows(c) || !fabric_.route_up(c.route)) continue;
    c.aen_sent = sched_.now();
    const std::int64_t at = fabric_.send(c.route, false, wire_.admin_response_bytes(0), sched_.now());
    sched_.at(at, aen_, conn, c.epoch);
  }
}

void Transport::aen_arrived(std::uint32_t conn, std::uint32_t epoch) {
  Conn& c = conns_[conn];
  if (epoch != c.epoch) return;
  if (!passes(c, TcpSocketKind::Admin, kToHost, c.aen_sent) &&
      !arrives(conn, TcpSocketKind::Admin, kToHost, c.aen_sent,
               TcpMessage{aen_, TcpStamp::Aen, 0, conn, epoch, std::uint32_t(wire_.admin_response_bytes(0))}))
    return;
  c.ctrl->on_ana_change_notice();
}

}  // namespace mpsim::sim
