#include "sim/live/live_target.h"

#include <algorithm>
#include <cstdio>

#include "sim/live/live_target_state.h"
#include "sim/seeds.h"
#include "topologies/topology.h"
#include "topologies/units.h"

namespace mpsim::live {

namespace {

std::uint64_t hash_text(std::string_view s, std::uint64_t salt) {
  std::uint64_t h = 0xcbf29ce484222325ull ^ salt;  // FNV-1a
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return sim::splitmix64(h);
}

void fill_id(std::array<std::uint8_t, 16>& id, std::uint64_t a, std::uint64_t b) {
  put64(id.data(), a);
  put64(id.data() + 8, b);
}

std::string connect_nqn(ByteSpan data, std::size_t at) {
  const char* p = reinterpret_cast<const char*>(data.data() + at);
  return std::string(p, strnlen(p, 256));
}

}  // namespace

LiveTarget::LiveTarget(const topology::Topology& topo, const models::ModelSet& models, std::uint64_t seed,
                       std::uint64_t memory_limit_bytes, bool apply_models, TargetHooks& hooks)
    : hooks_(hooks), model_(topo, models, seed), models_(models), budget_(memory_limit_bytes),
      apply_models_(apply_models) {
  for (const auto& node : topo.target_nodes()) {
    for (const auto& p : node.ports()) {
      LivePort port;
      port.name = topology::port_id(node, p);
      port.model_port = *model_.find_port(port.name);
      port.traddr = p.traddr();
      port.trsvcid = p.trsvcid();
      for (const auto& link : topo.links()) {
        if (link.a() == port.name || link.b() == port.name) {
          port.link_latency_s = link.latency_us() * 1e-6;
          port.link_bps = topology::parse_bandwidth(link.bandwidth());
          break;
        }
      }
      ports_.push_back(std::move(port));
    }
  }
  port_delay_ns_.assign(ports_.size(), 0);
  counters_.resize(ports_.size());
  for (const auto& s : topo.subsystems()) {
    auto sub = std::make_unique<Subsystem>();
    sub->nqn = s.nqn();
    char serial[21];
    std::snprintf(serial, sizeof serial, "%016llx", static_cast<unsigned long long>(hash_text(s.nqn(), 1)));
    sub->serial = serial;
    if (s.has_anatt_s()) sub->anatt_s = std::uint8_t(s.anatt_s());
    for (const std::string& port_name : s.ports()) {
      for (std::uint32_t i = 0; i < ports_.size(); ++i) {
        if (ports_[i].name != port_name) continue;
        sub->ports.push_back(i);
        ports_[i].subsystems.push_back(std::uint32_t(subsystems_.size()));
      }
    }
    for (const auto& n : s.namespaces()) {
      const std::uint64_t bytes = topology::parse_size(n.size());
      auto ns = std::make_unique<Namespace>(Namespace{n.nsid(), n.ana_grpid(), bytes / TargetLimits::kBlockSize, {}, {},
                                                      // serve_media takes a channel (no host: namespace QoS only)
                                                      model_.channel(model_.media_of(s.nqn(), n.nsid(), n.media()),
                                                                     s.nqn(), n.nsid(), ""),
                                                      SparseStore(bytes, budget_)});
      const std::string key = s.nqn() + "/" + std::to_string(n.nsid());
      fill_id(ns->nguid, hash_text(key, 2), hash_text(key, 3));
      fill_id(ns->uuid, hash_text(key, 4), hash_text(key, 5));
      ns->uuid[6] = std::uint8_t((ns->uuid[6] & 0x0F) | 0x40);  // version 4 (random-looking)
      ns->uuid[8] = std::uint8_t((ns->uuid[8] & 0x3F) | 0x80);  // RFC 4122 variant
      sub->namespaces.push_back(std::move(ns));
    }
    std::sort(sub->namespaces.begin(), sub->namespaces.end(), [](const auto& a, const auto& b) { return a->nsid < b->nsid; });
    subsystems_.push_back(std::move(sub));
  }
}

LiveTarget::~LiveTarget() = default;

std::string LiveTarget::ctrl_name(const Controller& c) const {
  return ports_[c.port].name + "/cntlid" + std::to_string(c.cntlid);
}

// A gray link slows every message through the port, admin and refused ones too.
Outcome LiveTarget::execute(QueueRef& q, const Sqe& sqe, ByteSpan data, std::int64_t now_ns) {
  Outcome out = dispatch(q, sqe, data, now_ns);
  if (!out.held) out.delay_ns += port_delay_ns_[q.port];
  return out;
}

Outcome LiveTarget::dispatch(QueueRef& q, const Sqe& sqe, ByteSpan data, std::int64_t now_ns) {
  if (sqe.opcode() == opc::kFabrics && sqe.fctype() == opc::kFctConnect) {
    if (q.connected) return Outcome{sc::kInvalidField | sc::kDnr};
    return connect(q, sqe, data);
  }
  if (!q.connected) return Outcome{sc::kInvalidOpcode | sc::kDnr};  // only Connect before Connect
  auto it = ctrls_.find(q.ctrl);
  if (it == ctrls_.end()) return Outcome{sc::kInternal | sc::kDnr};  // dropped; its connection closes
  Controller& c = *it->second;
  c.last_seen_ns = now_ns;
  if (sqe.opcode() == opc::kFabrics) {
    if (sqe.fctype() == opc::kFctPropertyGet) return property_get(c, sqe);
    if (sqe.fctype() == opc::kFctPropertySet) return property_set(c, sqe);
    return Outcome{sc::kInvalidOpcode | sc::kDnr};
  }
  if (q.qid == 0) {
    if (sqe.opcode() == opc::kAsyncEvent) return async_event(c, q, sqe);
    return admin(q, c, sqe);
  }
  return io(q, c, sqe, data, now_ns);
}

Outcome LiveTarget::connect(QueueRef& q, const Sqe& sqe, ByteSpan data) {
  const std::uint16_t recfmt = get16(sqe.b, 40), qid = get16(sqe.b, 42), sqsize = get16(sqe.b, 44);
  const std::uint32_t kato = get32(sqe.b, 48);
  if (data.size() < 1024 || recfmt != 0) return Outcome{sc::kInvalidField | sc::kDnr};
  // An invalid parameter names it in the result: IATTR 0 (command), IPO = offset of the field.
  const auto invalid = [](std::uint64_t ipo, bool in_data) {
    return Outcome{sc::kConnectInvalidParam | sc::kDnr, ipo << 16 | (in_data ? 1u : 0u)};
  };
  if (sqsize == 0 || sqsize >= TargetLimits::kMaxQueueEntries) return invalid(44, false);
  const std::string subnqn = connect_nqn(data, 256), hostnqn = connect_nqn(data, 512);
  const std::uint16_t cntlid = get16(data, 16);
  const LivePort& port = ports_[q.port];
  std::uint32_t subsys = 0;
  for (; subsys < subsystems_.size(); ++subsys) {
    if (subsystems_[subsys]->nqn == subnqn &&
        std::count(port.subsystems.begin(), port.subsystems.end(), subsys))
      break;
  }
  if (subsys == subsystems_.size()) {
    hooks_.event("connect-refused", port.name, "subsystem " + subnqn + " is not exported here");
    return invalid(256, true);
  }
  Subsystem& sub = *subsystems_[subsys];
  if (qid == 0) {
    auto c = std::make_unique<Controller>();
    c->id = next_ctrl_++;
    c->cntlid = sub.next_cntlid;
    sub.next_cntlid = std::uint16_t(sub.next_cntlid % 0xFFEF + 1);  // cntlid 1..0xFFEF
    c->subsys = subsys;
    c->port = q.port;
    c->hostnqn = hostnqn;
    c->kato_ms = kato;
    c->admin_conn = q.conn;
    q.ctrl = c->id;
    hooks_.event("ctrl-state", ctrl_name(*c), "connected: host " + hostnqn + ", kato " + std::to_string(kato) + " ms");
    const std::uint16_t id = c->cntlid;
    ctrls_.emplace(c->id, std::move(c));
    q.connected = true;
    q.qid = 0;
    q.sqsize = sqsize;
    return Outcome{sc::kSuccess, id};
  }
  for (auto& [id, c] : ctrls_) {
    if (c->subsys != subsys || c->cntlid != cntlid) continue;
    if (c->hostnqn != hostnqn || c->port != q.port) return Outcome{sc::kConnectInvalidHost | sc::kDnr};
    if (qid > c->io_queues) return invalid(42, false);
    c->io_conns.push_back(q.conn);
    q.ctrl = id;
    q.connected = true;
    q.qid = qid;
    q.sqsize = sqsize;
    return Outcome{sc::kSuccess, cntlid};
  }
  return invalid(16, true);
}

Outcome LiveTarget::property_get(const Controller& c, const Sqe& sqe) const {
  const bool eight = (sqe.b[40] & 1) != 0;
  const std::uint32_t offset = sqe.cdw(11);
  std::uint64_t v = 0;
  switch (offset) {
    case prop::kCap:
      // MQES, CQR (contiguous queues), TO = 15 x 500 ms, CSS = NVM command set, MPSMIN = MPSMAX = 4 KiB.
      v = (TargetLimits::kMaxQueueEntries - 1) | 1ull << 16 | 15ull << 24 | 1ull << 37;
      break;
    case prop::kVs: v = kVersion13; break;
    case prop::kCc: v = c.cc; break;
    case prop::kCsts: v = c.csts; break;
    default: return Outcome{sc::kInvalidField | sc::kDnr};
  }
  if (eight != (offset == prop::kCap)) return Outcome{sc::kInvalidField | sc::kDnr};
  return Outcome{sc::kSuccess, v};
}

Outcome LiveTarget::property_set(Controller& c, const Sqe& sqe) {
  if (sqe.cdw(11) != prop::kCc) return Outcome{sc::kInvalidField | sc::kDnr};
  const std::uint32_t cc = std::uint32_t(get64(sqe.b, 48));
  const bool was_enabled = c.cc & 1, enable = cc & 1;
  const std::uint32_t shn = (cc >> 14) & 3;
  c.cc = cc;
  if (enable && !was_enabled) {
    // I/O queue entry sizes must be 64 and 16 bytes (IOSQES 6, IOCQES 4), as nvmet requires.
    const bool sizes_ok = ((cc >> 16) & 0xF) == 6 && ((cc >> 20) & 0xF) == 4;
    c.csts = sizes_ok ? 1u : 2u;  // RDY, or CFS
    hooks_.event("ctrl-state", ctrl_name(c), sizes_ok ? "enabled (CSTS.RDY)" : "enable refused: queue entry sizes");
  } else if (!enable && was_enabled) {
    c.csts &= ~1u;
    hooks_.event("ctrl-state", ctrl_name(c), "disabled");
  }
  if (shn != 0) {
    c.csts = (c.csts & ~0xCu) | 2u << 2;  // SHST: shutdown complete
    hooks_.event("ctrl-state", ctrl_name(c), "shutdown");
  }
  return Outcome{};
}

void LiveTarget::disconnect(const QueueRef& q) {
  if (!q.connected) return;
  auto it = ctrls_.find(q.ctrl);
  if (it == ctrls_.end()) return;
  Controller& c = *it->second;
  if (q.qid == 0 && c.admin_conn == q.conn) {
    drop_controller(c.id, "admin queue closed");
    return;
  }
  std::erase(c.io_conns, q.conn);
}

void LiveTarget::drop_controller(std::uint32_t id, const std::string& reason) {
  auto it = ctrls_.find(id);
  if (it == ctrls_.end()) return;
  std::unique_ptr<Controller> c = std::move(it->second);
  ctrls_.erase(it);
  hooks_.event("ctrl-state", ctrl_name(*c), "gone: " + reason);
  for (ConnId conn : c->io_conns) hooks_.close_connection(conn, ctrl_name(*c) + ": " + reason);
  hooks_.close_connection(c->admin_conn, ctrl_name(*c) + ": " + reason);
}

void LiveTarget::fatal_error(std::uint32_t port, const std::string& why) {
  std::vector<std::uint32_t> ids;
  for (auto& [id, c] : ctrls_) {
    if (c->port != port) continue;
    c->csts |= 2u;  // CFS
    ids.push_back(id);
  }
  for (std::uint32_t id : ids) drop_controller(id, "fatal error: " + why);
}

void LiveTarget::check_keep_alive(std::int64_t now_ns) {
  std::vector<std::uint32_t> expired;
  for (auto& [id, c] : ctrls_) {
    if (c->kato_ms != 0 && now_ns - c->last_seen_ns > std::int64_t(c->kato_ms) * 1'000'000) expired.push_back(id);
  }
  for (std::uint32_t id : expired) drop_controller(id, "keep-alive timer expired");
}

void LiveTarget::set_ana(std::uint32_t port, std::uint32_t grpid, topology::AnaState state) {
  const std::uint32_t mp = ports_[port].model_port;
  if (model_.port(mp).state(grpid) == state) return;
  model_.set_ana(mp, grpid, state);
  ++ana_change_count_;
  hooks_.event("ana", ports_[port].name, "group " + std::to_string(grpid) + " " + topology::ana_state_name(state));
  // nvmet_port_send_ana_event: every controller through the port is told.
  for (auto& [id, c] : ctrls_) {
    if (c->port == port) post_event(*c, kAenAnaChange);
  }
}

topology::AnaState LiveTarget::initial_ana(std::uint32_t port, std::uint32_t grpid) const {
  return model_.initial_ana(ports_[port].model_port, grpid);
}

void LiveTarget::post_event(Controller& c, std::uint32_t dw0) {
  if (dw0 == kAenAnaChange) {
    if (!(c.aec & kAecAnaChange) || c.ana_event_masked) return;
    c.ana_event_masked = true;
  }
  c.events.push_back(dw0);
  deliver_events(c);
}

void LiveTarget::deliver_events(Controller& c) {
  while (!c.events.empty() && !c.aer_cids.empty()) {
    Cqe cqe;
    cqe.result = c.events.front();
    cqe.cid = c.aer_cids.front();
    c.events.pop_front();
    c.aer_cids.erase(c.aer_cids.begin());
    hooks_.event("aen", ctrl_name(c), "dw0 0x" + [&] { char b[9]; std::snprintf(b, 9, "%08x", unsigned(cqe.result)); return std::string(b); }());
    hooks_.complete_held(c.admin_conn, cqe);
  }
}

}  // namespace mpsim::live
