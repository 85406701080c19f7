#include "topologies/topology.h"

#include "topologies/generate.h"

#include <algorithm>
#include <chrono>

#include "policies/kernel_defaults.h"

namespace mpsim::topology {

namespace {

// A kernel default in the topology's unit (seconds).
double seconds_of(policies::Duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

SourceMap load_topology_file(const std::string& path, Topology& out) {
  SourceMap map = parse_textproto_file(path, out);
  Diagnostics diag;
  std::optional<Topology> resolved = resolve_topology(out, map, diag);  // expands a generator block
  if (!resolved) {
    out.Clear();
    diag.throw_if_any();
  }
  if (out.has_generator()) out = std::move(*resolved);
  return map;
}

Topology load_topology_file(const std::string& path) {
  Topology topo;
  load_topology_file(path, topo);
  return topo;
}

Topology parse_topology(std::string_view text, const std::string& source_name) {
  Topology topo;
  SourceMap map = parse_textproto(text, source_name, topo);
  Diagnostics diag;
  std::optional<Topology> resolved = resolve_topology(topo, map, diag);  // expands a generator block
  diag.throw_if_any();
  return std::move(*resolved);
}

std::string nic_id(const Host& host, const Nic& nic) { return host.name() + "." + nic.name(); }

std::string port_id(const TargetNode& node, const TargetPort& port) { return node.name() + "." + port.name(); }

std::string link_name(const Link& link) { return link.name().empty() ? link.a() + "--" + link.b() : link.name(); }

std::optional<Endpoint> resolve_endpoint(const Topology& topo, std::string_view id) {
  size_t dot = id.find('.');
  if (dot == std::string_view::npos) {
    for (int s = 0; s < topo.switches_size(); ++s) {
      if (topo.switches(s).name() == id) return Endpoint{EndpointKind::kSwitch, s, -1};
    }
    return std::nullopt;
  }
  std::string_view owner = id.substr(0, dot);
  std::string_view member = id.substr(dot + 1);
  for (int h = 0; h < topo.hosts_size(); ++h) {
    const Host& host = topo.hosts(h);
    if (host.name() != owner) continue;
    for (int n = 0; n < host.nics_size(); ++n) {
      if (host.nics(n).name() == member) return Endpoint{EndpointKind::kNic, h, n};
    }
  }
  for (int t = 0; t < topo.target_nodes_size(); ++t) {
    const TargetNode& node = topo.target_nodes(t);
    if (node.name() != owner) continue;
    for (int p = 0; p < node.ports_size(); ++p) {
      if (node.ports(p).name() == member) return Endpoint{EndpointKind::kPort, t, p};
    }
  }
  return std::nullopt;
}

const Host* find_host(const Topology& topo, std::string_view name) {
  for (const Host& host : topo.hosts()) {
    if (host.name() == name) return &host;
  }
  return nullptr;
}

const Subsystem* find_subsystem(const Topology& topo, std::string_view nqn) {
  for (const Subsystem& subsys : topo.subsystems()) {
    if (subsys.nqn() == nqn) return &subsys;
  }
  return nullptr;
}

const TargetPort* find_port(const Topology& topo, std::string_view id) {
  auto end = resolve_endpoint(topo, id);
  if (!end || end->kind != EndpointKind::kPort) return nullptr;
  return &topo.target_nodes(end->owner).ports(end->index);
}

const Nic* find_nic(const Host& host, std::string_view nic_name) {
  for (const Nic& nic : host.nics()) {
    if (nic.name() == nic_name) return &nic;
  }
  return nullptr;
}

std::optional<DeviceRef> find_device(const Topology& topo, std::string_view id) {
  const auto dot = id.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  for (int n = 0; n < topo.target_nodes_size(); ++n) {
    const TargetNode& node = topo.target_nodes(n);
    if (node.name() != id.substr(0, dot)) continue;
    for (const Device& d : node.devices()) {
      if (d.name() == id.substr(dot + 1)) return DeviceRef{n, &d};
    }
  }
  return std::nullopt;
}

const std::string& namespace_media(const Topology& topo, const Namespace& ns) {
  if (ns.device().empty()) return ns.media();
  auto ref = find_device(topo, ns.device());
  return ref ? ref->device->media() : ns.media();
}

AnaState port_ana_state(const TargetPort& port, uint32_t grpid) {
  for (const AnaGroup& group : port.ana_groups()) {
    if (group.grpid() == grpid) return group.state();
  }
  return INACCESSIBLE;
}

std::string ana_state_name(AnaState state) {
  switch (state) {
    case OPTIMIZED:
      return "optimized";
    case NON_OPTIMIZED:
      return "non-optimized";
    case INACCESSIBLE:
      return "inaccessible";
    case PERSISTENT_LOSS:
      return "persistent-loss";
    case CHANGE:
      return "change";
    default:
      return "unspecified";
  }
}

EffectiveConnectOptions effective_options(const Topology& topo, const Connection& conn) {
  const ConnectOptions& o = conn.options();
  uint32_t cpus = 0;
  if (const Host* host = find_host(topo, conn.host())) {
    for (const NumaNode& numa : host->numa_nodes()) cpus += numa.cpus();
  }
  // Unset options take the kernel's defaults (policies/kernel_defaults.h); a host that
  // declares no CPUs still gets one I/O queue.
  namespace kd = policies::kernel_defaults;
  return EffectiveConnectOptions{
      o.has_kato_s() ? o.kato_s() : seconds_of(kd::kKato),
      o.has_reconnect_delay_s() ? o.reconnect_delay_s() : seconds_of(kd::kReconnectDelay),
      o.has_ctrl_loss_tmo_s() ? o.ctrl_loss_tmo_s() : seconds_of(kd::kCtrlLossTmo),
      o.has_fast_io_fail_tmo_s() ? o.fast_io_fail_tmo_s() : seconds_of(kd::kFastIoFailTmo),
      o.has_nr_io_queues() ? o.nr_io_queues() : std::max<uint32_t>(kd::nr_io_queues(cpus), 1),
      o.has_queue_size() ? o.queue_size() : kd::kQueueSize,
  };
}

}  // namespace mpsim::topology
