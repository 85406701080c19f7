#include "sim/target_model.h"

#include <algorithm>
#include <stdexcept>

#include "policies/kernel_defaults.h"
#include "sim/seeds.h"
#include "topologies/topology.h"

namespace mpsim::sim {

namespace {

std::uint16_t ana_status(topology::AnaState s) {
  switch (s) {
    case topology::OPTIMIZED:
    case topology::NON_OPTIMIZED: return policies::status::kSuccess;
    case topology::PERSISTENT_LOSS: return policies::status::kAnaPersistentLoss;
    case topology::CHANGE: return policies::status::kAnaTransition;
    default: return policies::status::kAnaInaccessible;
  }
}

}  // namespace

policies::AnaState to_policies(topology::AnaState s) {
  switch (s) {
    case topology::OPTIMIZED: return policies::AnaState::Optimized;
    case topology::NON_OPTIMIZED: return policies::AnaState::NonOptimized;
    case topology::PERSISTENT_LOSS: return policies::AnaState::PersistentLoss;
    case topology::CHANGE: return policies::AnaState::Change;
    default: return policies::AnaState::Inaccessible;
  }
}

topology::AnaState TargetPortState::state(std::uint32_t grpid) const {
  for (const auto& [g, st] : ana) {
    if (g == grpid) return st;
  }
  return topology::INACCESSIBLE;
}

TargetModel::TargetModel(const topology::Topology& topo, const models::ModelSet& models, std::uint64_t seed)
    : models_(models), media_rng_(splitmix64(seed ^ 0x6D65646961ull)), cores_(splitmix64(seed ^ 0x727373ull)) {  // "rss"
  for (const auto& node : topo.target_nodes()) {
    const std::uint64_t pause_seed = splitmix64(seed ^ 0x74637075ull) + nodes_.size();  // "tcpu"
    cores_.add_node(node.cpus(), models.target_cpu, pause_seed);
    nodes_.push_back(Node{1});
    for (const auto& p : node.ports()) {
      TargetPortState port;
      port.name = topology::port_id(node, p);
      port.node = int(nodes_.size() - 1);
      for (const auto& g : p.ana_groups()) port.ana.emplace_back(g.grpid(), g.state());
      port.initial = port.ana;
      port_by_name_[port.name] = std::uint32_t(ports_.size());
      ports_.push_back(std::move(port));
    }
  }
  for (const auto& sub : topo.subsystems()) {
    if (sub.has_anatt_s()) anatt_[sub.nqn()] = std::chrono::seconds(sub.anatt_s());
    for (const auto& ns : sub.namespaces()) {
      if (!ns.device().empty()) device_of_ns_[{sub.nqn(), ns.nsid()}] = ns.device();
      if (!ns.device().empty()) device_media_[ns.device()] = topology::namespace_media(topo, ns);
    }
  }
}

std::optional<std::uint32_t> TargetModel::find_port(const std::string& id) const {
  auto it = port_by_name_.find(id);
  if (it == port_by_name_.end()) return std::nullopt;
  return it->second;
}

policies::Duration TargetModel::anatt(const std::string& nqn) const {
  auto it = anatt_.find(nqn);
  return it == anatt_.end() ? policies::kernel_defaults::kNvmetAnatt : it->second;
}

std::uint32_t TargetModel::add_controller(std::uint32_t port, std::uint32_t io_queues, std::int64_t kato_ns) {
  const auto id = cores_.add_controller(ports_[port].node, io_queues);
  keep_alive_.add(id, kato_ns);
  ctrls_.push_back(TargetController{ports_[port].node, 0, 0});
  ports_[port].controllers.push_back(id);
  return id;
}

void TargetModel::accept(std::uint32_t ctrl, std::uint32_t epoch, std::int64_t now) {
  TargetController& c = ctrls_[ctrl];
  c.epoch = epoch;
  c.generation = nodes_[c.node].generation;
  cores_.bind(ctrl, epoch);
  keep_alive_.start(ctrl, now);
}

policies::NvmeStatus TargetModel::check_ana(std::uint32_t port, std::uint32_t grpid) const {
  return policies::NvmeStatus{ana_status(ports_[port].state(grpid))};
}

policies::AnaLog TargetModel::ana_log(std::uint32_t port, const std::vector<std::uint32_t>& grpids) const {
  policies::AnaLog log;
  for (std::uint32_t g : grpids) log.push_back({g, to_policies(ports_[port].state(g))});
  return log;
}

void TargetModel::set_ana(std::uint32_t port, std::uint32_t grpid, topology::AnaState state) {
  for (auto& [g, st] : ports_[port].ana) {
    if (g == grpid) {
      st = state;
      return;
    }
  }
  ports_[port].ana.emplace_back(grpid, state);
}

topology::AnaState TargetModel::initial_ana(std::uint32_t port, std::uint32_t grpid) const {
  topology::AnaState state = topology::INACCESSIBLE;
  for (const auto& [g, st] : ports_[port].initial) {
    if (g == grpid) state = st;
  }
  return state;
}

std::uint32_t TargetModel::media_of(const std::string& nqn, std::uint32_t nsid, const std::string& model) {
  auto key = std::make_pair(nqn, nsid);
  auto found = media_by_ns_.find(key);
  if (found != media_by_ns_.end()) return found->second;
  auto device = device_of_ns_.find(key);
  if (device != device_of_ns_.end()) {
    auto shared = media_by_device_.find(device->second);
    if (shared != media_by_device_.end()) return media_by_ns_[key] = shared->second;
  }
  const std::string& name = device == device_of_ns_.end() ? model : device_media_.at(device->second);
  auto m = models_.media.find(name);
  if (m == models_.media.end())
    throw std::invalid_argument("namespace " + nqn + "/" + std::to_string(nsid) + ": unknown media model \"" + name +
                                "\"");
  Media media{models::MediaModel(m->second), {}, device != device_of_ns_.end(), 0};
  for (std::uint32_t u = 0; u < media.model.parallelism(); ++u) media.free_at.push(0);
  media_.push_back(std::move(media));
  if (device != device_of_ns_.end()) media_by_device_[device->second] = std::uint32_t(media_.size() - 1);
  return media_by_ns_[key] = std::uint32_t(media_.size() - 1);
}

std::int64_t TargetModel::serve_media(std::uint32_t channel, std::int64_t t, bool read, std::uint32_t bytes) {
  Media& m = media_[capacity_.media(channel)];
  const std::int64_t start = std::max(t, m.free_at.top());
  m.free_at.pop();
  std::int64_t done;
  if (m.shared_transfer) {  // the unit stays busy while its data waits for the device's channel
    const std::int64_t accessed = start + m.model.access_ns(read, media_rng_);
    const std::int64_t transfer = m.model.transfer_ns(read, bytes);
    done = transfer == 0 ? accessed : std::max(accessed, m.transfer_free_at) + transfer;
    if (transfer != 0) m.transfer_free_at = done;
  } else {
    done = start + m.model.service_ns(read, bytes, media_rng_);
  }
  m.free_at.push(done);
  return done;
}

void TargetModel::admit(const MediaCommand& c) {
  if (c.slot >= held_.size()) {
    held_.resize(c.slot + 1);
    held_rest_.resize(c.slot + 1);
  }
  ++at_media_count_;
  const std::uint32_t generation = nodes_[c.node].generation;
  HeldKey& k = held_[c.slot];
  if (k.attempt != 0) {  // the slot's first command is still at the media: this one waits apart
    overflow_[c.slot].emplace_back(c).generation = generation;
    return;
  }
  k = HeldKey{c.attempt, generation, c.lands, c.io_id, c.node};
  held_rest_[c.slot] = c;
}

MediaCommand TargetModel::rejoin(std::uint32_t slot, const HeldKey& k, const MediaCommand& rest) {
  MediaCommand c = rest;
  c.slot = slot;
  c.attempt = k.attempt;
  c.generation = k.generation;
  c.lands = k.lands;
  c.io_id = k.io_id;
  c.node = k.node;
  return c;
}

std::optional<TargetModel::Landing> TargetModel::land(std::uint32_t slot, std::uint32_t attempt, std::int64_t now,
                                                     bool whole) {
  if (slot >= held_.size()) return std::nullopt;
  HeldKey& k = held_[slot];
  if (k.attempt == 0) return std::nullopt;
  std::optional<Landing> out;
  if (k.attempt == attempt && k.lands == now) {
    const MediaCommand c = rejoin(slot, k, whole ? held_rest_[slot] : MediaCommand{});
    out = Landing{c, c.generation == nodes_[c.node].generation};
    k = HeldKey{};
  }
  auto more = overflow_.empty() ? overflow_.end() : overflow_.find(slot);
  if (more != overflow_.end()) {
    std::vector<MediaCommand>& cmds = more->second;
    for (std::size_t i = 0; !out && i < cmds.size(); ++i) {
      if (cmds[i].attempt != attempt || cmds[i].lands != now) continue;
      out = Landing{cmds[i], cmds[i].generation == nodes_[cmds[i].node].generation};
      cmds[i] = cmds.back();
      cmds.pop_back();
    }
    if (k.attempt == 0 && !cmds.empty()) {  // the first place is free again: the next one moves up
      const MediaCommand& c = cmds.back();
      k = HeldKey{c.attempt, c.generation, c.lands, c.io_id, c.node};
      held_rest_[slot] = c;
      cmds.pop_back();
    }
    if (cmds.empty()) overflow_.erase(more);
  }
  if (out) --at_media_count_;
  return out;
}

void TargetModel::hold(const MediaCommand& c) {
  MediaCommand& stored = qos_held_[{c.slot, c.attempt}] = c;
  stored.generation = nodes_[c.node].generation;
}

std::optional<MediaCommand> TargetModel::unhold(std::uint32_t slot, std::uint32_t attempt) {
  auto it = qos_held_.find({slot, attempt});
  if (it == qos_held_.end()) return std::nullopt;
  const MediaCommand c = it->second;
  qos_held_.erase(it);
  if (c.generation != nodes_[c.node].generation) return std::nullopt;
  return c;
}

bool TargetModel::has(std::uint32_t slot, std::uint32_t attempt) const {
  if (qos_held_.count({slot, attempt})) return true;
  if (slot >= held_.size()) return false;
  if (held_[slot].attempt == attempt) return true;
  auto more = overflow_.find(slot);
  return more != overflow_.end() && std::any_of(more->second.begin(), more->second.end(),
                                                [&](const MediaCommand& c) { return c.attempt == attempt; });
}

std::optional<TargetModel::WireCommand> TargetModel::arrive(std::uint32_t slot, std::uint32_t attempt) {
  auto it = on_wire_.find({slot, attempt});
  if (it == on_wire_.end()) return std::nullopt;
  const WireCommand c = it->second;
  on_wire_.erase(it);
  return c;
}

void TargetModel::drop_on_wire(std::uint32_t conn) {
  std::erase_if(on_wire_, [&](const auto& kv) { return kv.second.cmd.conn == conn; });
}

void TargetModel::host_finished(std::uint32_t slot, std::uint64_t io_id, std::uint64_t stamp) {
  for (auto it = on_wire_.empty() ? on_wire_.end() : on_wire_.lower_bound({slot, 0});
       it != on_wire_.end() && it->first.first == slot; ++it) {
    if (it->second.cmd.io_id == io_id) it->second.cmd.host_done_stamp = stamp;
  }
  for (auto it = qos_held_.empty() ? qos_held_.end() : qos_held_.lower_bound({slot, 0});
       it != qos_held_.end() && it->first.first == slot; ++it) {
    if (it->second.io_id == io_id) it->second.host_done_stamp = stamp;
  }
  if (slot >= held_.size()) return;
  const HeldKey& k = held_[slot];
  if (k.attempt != 0 && k.io_id == io_id) held_rest_[slot].host_done_stamp = stamp;
  if (overflow_.empty()) return;
  auto more = overflow_.find(slot);
  if (more == overflow_.end()) return;
  for (MediaCommand& c : more->second) {
    if (c.io_id == io_id) c.host_done_stamp = stamp;
  }
}

}  // namespace mpsim::sim
