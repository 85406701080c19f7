// validate_topology(): every rule a fabric description must satisfy, each problem reported at
// the field that breaks it. Checks run in file order (components first, then references to
// them) and never stop early, so one run lists everything wrong with a file.
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>

#include "topologies/topology.h"

namespace mpsim::topology {

namespace {

namespace pb = google::protobuf;

// nvmet's limits (drivers/nvme/target/nvmet.h NVMET_MAX_ANAGRPS) and the host's
// (drivers/nvme/host/fabrics.h NVMF_MIN/MAX_QUEUE_SIZE; NVMF_NQN_SIZE).
constexpr uint32_t kMaxAnaGroups = 128;
constexpr uint32_t kMinQueueSize = 16;
constexpr uint32_t kMaxQueueSize = 1024;
constexpr size_t kMaxNqnLength = 223;

bool valid_name(const std::string& name) {
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return !name.empty();
}

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

class Validator {
 public:
  Validator(const Topology& topo, const SourceMap& map, Diagnostics& diag) : topo_(topo), map_(map), diag_(diag) {}

  void run() {
    if (topo_.name().empty()) error(topo_, "name", "required field is missing");
    for (const Host& host : topo_.hosts()) check_host(host);
    for (const Switch& sw : topo_.switches()) check_node_name(sw, sw.name(), "switch");
    for (const TargetNode& node : topo_.target_nodes()) check_target_node(node);
    for (const Link& link : topo_.links()) check_link(link);
    for (const Subsystem& subsys : topo_.subsystems()) check_subsystem(subsys);
    for (const Connection& conn : topo_.connections()) check_connection(conn);
  }

 private:
  void error(const pb::Message& msg, std::string_view field, const std::string& message, int index = -1) {
    diag_.error(map_, msg, field, message, index);
  }

  // A required string: reports absence; returns whether it is present.
  bool require(const pb::Message& msg, std::string_view field, const std::string& value) {
    if (!value.empty()) return true;
    error(msg, field, "required field is missing");
    return false;
  }

  // Names end up in ids ("<host>.<nic>") and in link ends, so they are kept to a safe alphabet.
  bool require_name(const pb::Message& msg, const std::string& name) {
    if (!require(msg, "name", name)) return false;
    if (valid_name(name)) return true;
    error(msg, "name", quoted(name) + " is not a valid name (use letters, digits, '-' and '_')");
    return false;
  }

  void check_unit(const pb::Message& msg, std::string_view field, const std::string& value,
                  void (*parse)(std::string_view)) {
    if (!require(msg, field, value)) return;
    try {
      parse(value);
    } catch (const std::invalid_argument& e) {
      error(msg, field, e.what());
    }
  }
  void check_bandwidth(const pb::Message& msg, std::string_view field, const std::string& value) {
    check_unit(msg, field, value, [](std::string_view v) { parse_bandwidth(v); });
  }

  // Hosts, switches and target nodes share one namespace: a link end "x.y" must be unambiguous.
  void check_node_name(const pb::Message& msg, const std::string& name, const std::string& kind) {
    if (!require_name(msg, name)) return;
    auto [it, fresh] = node_names_.emplace(name, kind);
    if (!fresh) error(msg, "name", "duplicate name " + quoted(name) + " (already used by a " + it->second + ")");
  }

  void check_host(const Host& host) {
    check_node_name(host, host.name(), "host");
    std::set<uint32_t> numa_ids;
    if (host.numa_nodes().empty()) error(host, "numa_nodes", "required field is missing: at least one NUMA node");
    for (const NumaNode& numa : host.numa_nodes()) {
      if (!numa_ids.insert(numa.id()).second) error(numa, "id", "duplicate NUMA node id " + std::to_string(numa.id()));
      if (numa.cpus() == 0) error(numa, "cpus", "required field is missing or 0: a NUMA node needs CPUs");
      if (numa.cpus() > limits::kMaxCpus) error(numa, "cpus", "must be at most " + std::to_string(limits::kMaxCpus));
    }
    const uint32_t hz = host.kernel_hz();
    if (hz != 0 && hz != 100 && hz != 250 && hz != 300 && hz != 1000) {
      error(host, "kernel_hz", "must be 100, 250, 300 or 1000 (a Linux CONFIG_HZ), not " + std::to_string(hz));
    }
    if (host.nics().empty()) error(host, "nics", "required field is missing: at least one NIC");
    std::set<std::string> nic_names;
    for (const Nic& nic : host.nics()) {
      if (require_name(nic, nic.name()) && !nic_names.insert(nic.name()).second) {
        error(nic, "name", "duplicate NIC name " + quoted(nic.name()) + " in host " + quoted(host.name()));
      }
      check_bandwidth(nic, "speed", nic.speed());
      if (!host.numa_nodes().empty() && !numa_ids.count(nic.numa_node())) {
        error(nic, "numa_node", "NUMA node " + std::to_string(nic.numa_node()) + " is not one of host " +
                                    quoted(host.name()) + "'s numa_nodes");
      }
    }
  }

  void check_target_node(const TargetNode& node) {
    check_node_name(node, node.name(), "target node");
    if (node.cpus() == 0) error(node, "cpus", "required field is missing or 0: a target node needs CPUs");
    if (node.cpus() > limits::kMaxCpus) error(node, "cpus", "must be at most " + std::to_string(limits::kMaxCpus));
    if (node.ports().empty()) error(node, "ports", "required field is missing: at least one port");
    std::set<std::string> port_names;
    for (const TargetPort& port : node.ports()) {
      if (require_name(port, port.name()) && !port_names.insert(port.name()).second) {
        error(port, "name", "duplicate port name " + quoted(port.name()) + " in target node " + quoted(node.name()));
      }
      check_port(node, port);
    }
    std::set<std::string> device_names;
    for (const Device& device : node.devices()) {
      if (require_name(device, device.name()) && !device_names.insert(device.name()).second) {
        error(device, "name", "duplicate device name " + quoted(device.name()) + " in target node " + quoted(node.name()));
      }
      require(device, "media", device.media());
    }
  }

  void check_port(const TargetNode& node, const TargetPort& port) {
    if (!port.trtype().empty() && port.trtype() != "tcp") {
      error(port, "trtype", "transport " + quoted(port.trtype()) + " is not modelled (only \"tcp\")");
    }
    if (!port.adrfam().empty() && port.adrfam() != "ipv4" && port.adrfam() != "ipv6") {
      error(port, "adrfam", "address family " + quoted(port.adrfam()) + " must be \"ipv4\" or \"ipv6\"");
    }
    require(port, "traddr", port.traddr());
    if (port.trsvcid() == 0 || port.trsvcid() > 65535) {
      error(port, "trsvcid", port.trsvcid() == 0 ? "required field is missing" : "TCP port must be 1..65535");
    } else if (!port.traddr().empty()) {
      std::string address = port.traddr() + ":" + std::to_string(port.trsvcid());
      auto [it, fresh] = addresses_.emplace(address, port_id(node, port));
      if (!fresh) error(port, "trsvcid", "address " + address + " is already used by port " + quoted(it->second));
    }
    check_bandwidth(port, "speed", port.speed());
    std::set<uint32_t> grpids;
    for (const AnaGroup& group : port.ana_groups()) {
      if (group.grpid() < 1 || group.grpid() > kMaxAnaGroups) {
        error(group, "grpid", "ANA group id " + std::to_string(group.grpid()) + " is outside 1..128");
      } else if (!grpids.insert(group.grpid()).second) {
        error(group, "grpid", "duplicate ANA group " + std::to_string(group.grpid()) + " on this port");
      }
      if (group.state() == ANA_STATE_UNSPECIFIED) {
        error(group, "state", "required field is missing: choose the group's ANA state");
      }
    }
  }

  void check_link(const Link& link) {
    std::string name = link_name(link);
    bool ends_ok = check_link_end(link, "a", link.a()) & check_link_end(link, "b", link.b());
    if (ends_ok && link.a() == link.b()) error(link, "b", "link joins " + quoted(link.a()) + " to itself");
    if (!link.name().empty() || ends_ok) {
      if (!link_names_.insert(name).second) {
        error(link, link.name().empty() ? "a" : "name",
              "duplicate link name " + quoted(name) + (link.name().empty() ? " (give parallel links a name)" : ""));
      }
    }
    check_bandwidth(link, "bandwidth", link.bandwidth());
    if (!(link.latency_us() > 0) || !std::isfinite(link.latency_us())) {
      error(link, "latency_us", link.latency_us() == 0 ? "required field is missing or 0: latency_us must be > 0"
                                                       : "latency_us must be > 0");
    } else if (link.latency_us() > limits::kMaxLinkLatencyUs) {
      error(link, "latency_us", "latency_us must be at most 1000000 (1 s one way)");
    }
  }

  bool check_link_end(const Link& link, std::string_view field, const std::string& id) {
    if (!require(link, field, id)) return false;
    if (resolve_endpoint(topo_, id)) return true;
    error(link, field, quoted(id) + " names no NIC (\"<host>.<nic>\"), switch or target port (\"<node>.<port>\")");
    return false;
  }

  void check_subsystem(const Subsystem& subsys) {
    if (require(subsys, "nqn", subsys.nqn())) {
      if (subsys.nqn().size() > kMaxNqnLength) error(subsys, "nqn", "NQN is longer than 223 bytes");
      if (!nqns_.insert(subsys.nqn()).second) error(subsys, "nqn", "duplicate subsystem " + quoted(subsys.nqn()));
    }
    if (subsys.ports().empty()) error(subsys, "ports", "required field is missing: the ports exporting it");
    std::set<std::string> ports;
    for (int i = 0; i < subsys.ports_size(); ++i) {
      const std::string& id = subsys.ports(i);
      if (!find_port(topo_, id)) {
        error(subsys, "ports", quoted(id) + " is not a target port (\"<node>.<port>\")", i);
      } else if (!ports.insert(id).second) {
        error(subsys, "ports", "port " + quoted(id) + " is listed twice", i);
      }
    }
    // Identify Controller ANATT is one byte of seconds, and a zero would make every ANA
    // transition time out at once.
    if (subsys.has_anatt_s() && (subsys.anatt_s() <= 0 || subsys.anatt_s() > 255))
      error(subsys, "anatt_s", "ANATT must be 1..255 seconds, not " + std::to_string(subsys.anatt_s()));
    std::set<uint32_t> nsids;
    for (const Namespace& ns : subsys.namespaces()) check_namespace(subsys, ns, nsids);
  }

  void check_namespace(const Subsystem& subsys, const Namespace& ns, std::set<uint32_t>& nsids) {
    if (ns.nsid() == 0) {
      error(ns, "nsid", "required field is missing or 0: nsid must be >= 1");
    } else if (!nsids.insert(ns.nsid()).second) {
      error(ns, "nsid", "duplicate nsid " + std::to_string(ns.nsid()) + " in subsystem " + quoted(subsys.nqn()));
    }
    if (require(ns, "size", ns.size())) {
      try {
        if (parse_size(ns.size()) == 0) error(ns, "size", "size must be > 0");
      } catch (const std::invalid_argument& e) {
        error(ns, "size", e.what());
      }
    }
    if (ns.device().empty()) require(ns, "media", ns.media());
    else check_namespace_device(subsys, ns);
    if (ns.ana_grpid() == 0) {
      error(ns, "ana_grpid", "required field is missing or 0: the namespace's ANA group");
    } else if (!some_port_defines(subsys, ns.ana_grpid())) {
      error(ns, "ana_grpid", "no port exporting " + quoted(subsys.nqn()) + " defines ANA group " +
                                 std::to_string(ns.ana_grpid()));
    }
  }

  // A device is local to its node: a namespace exported through another node's port would
  // share one node's drive across nodes, which no nvmet target can do.
  void check_namespace_device(const Subsystem& subsys, const Namespace& ns) {
    auto ref = find_device(topo_, ns.device());
    if (!ref) {
      error(ns, "device", quoted(ns.device()) + " names no device (\"<node>.<device>\" of a target node's devices)");
      return;
    }
    const std::string& node = topo_.target_nodes(ref->node).name();
    if (!ns.media().empty() && ns.media() != ref->device->media()) {
      error(ns, "media", "namespace media " + quoted(ns.media()) + " differs from its device " + quoted(ns.device()) +
                             "'s " + quoted(ref->device->media()) + " (leave it empty)");
    }
    for (const std::string& id : subsys.ports()) {
      auto end = resolve_endpoint(topo_, id);
      if (!end || end->kind != EndpointKind::kPort || end->owner == ref->node) continue;
      error(ns, "device", "device " + quoted(ns.device()) + " is local to target node " + quoted(node) +
                              " but subsystem " + quoted(subsys.nqn()) + " is also exported through port " + quoted(id) +
                              ": a device cannot be shared across nodes");
      return;
    }
  }

  bool some_port_defines(const Subsystem& subsys, uint32_t grpid) const {
    for (const std::string& id : subsys.ports()) {
      const TargetPort* port = find_port(topo_, id);
      if (!port) continue;
      for (const AnaGroup& group : port->ana_groups()) {
        if (group.grpid() == grpid) return true;
      }
    }
    return false;
  }

  void check_connection(const Connection& conn) {
    const Host* host = nullptr;
    if (require(conn, "host", conn.host())) {
      host = find_host(topo_, conn.host());
      if (!host) error(conn, "host", "unknown host " + quoted(conn.host()));
    }
    bool port_ok = require(conn, "port", conn.port());
    if (port_ok && !find_port(topo_, conn.port())) {
      error(conn, "port", "unknown target port " + quoted(conn.port()) + " (\"<node>.<port>\")");
      port_ok = false;
    }
    const Subsystem* subsys = nullptr;
    if (require(conn, "nqn", conn.nqn())) {
      subsys = find_subsystem(topo_, conn.nqn());
      if (!subsys) error(conn, "nqn", "unknown subsystem " + quoted(conn.nqn()));
    }
    if (port_ok && subsys && !exports(*subsys, conn.port())) {
      error(conn, "port", "port " + quoted(conn.port()) + " does not export " + quoted(conn.nqn()));
    }
    if (host && !conn.host_nic().empty() && !find_nic(*host, conn.host_nic())) {
      error(conn, "host_nic", "host " + quoted(host->name()) + " has no NIC " + quoted(conn.host_nic()));
    }
    if (conn.has_options()) check_options(conn.options());
    std::string key = conn.host() + "\n" + conn.port() + "\n" + conn.nqn();
    if (host && port_ok && subsys && !connections_.insert(key).second) {
      error(conn, "", "duplicate connection: host " + quoted(conn.host()) + " is already connected to " +
                          quoted(conn.port()) + " for " + quoted(conn.nqn()));
    }
  }

  static bool exports(const Subsystem& subsys, const std::string& port) {
    for (const std::string& id : subsys.ports()) {
      if (id == port) return true;
    }
    return false;
  }

  void check_options(const ConnectOptions& o) {
    auto finite = [&](std::string_view field, bool has, double v) {
      const bool ok = std::isfinite(v) && std::abs(v) <= limits::kMaxTimeoutS;
      if (has && !ok) error(o, field, "must be a finite number of seconds, at most 10000000 in size");
      return has && ok;
    };
    if (finite("kato_s", o.has_kato_s(), o.kato_s()) && o.kato_s() <= 0) {
      error(o, "kato_s", "keep-alive timeout must be > 0");
    }
    if (finite("reconnect_delay_s", o.has_reconnect_delay_s(), o.reconnect_delay_s()) && o.reconnect_delay_s() <= 0) {
      error(o, "reconnect_delay_s", "reconnect delay must be > 0");
    }
    finite("ctrl_loss_tmo_s", o.has_ctrl_loss_tmo_s(), o.ctrl_loss_tmo_s());
    finite("fast_io_fail_tmo_s", o.has_fast_io_fail_tmo_s(), o.fast_io_fail_tmo_s());
    for (auto [field, has, v] : {std::tuple{"io_timeout_s", o.has_io_timeout_s(), o.io_timeout_s()},
                                 std::tuple{"admin_timeout_s", o.has_admin_timeout_s(), o.admin_timeout_s()}}) {
      if (finite(field, has, v) && v <= 0) error(o, field, std::string(field) + " must be > 0");
    }
    if (finite("failover_delay_s", o.has_failover_delay_s(), o.failover_delay_s()) && o.failover_delay_s() < 0)
      error(o, "failover_delay_s", "failover_delay_s must be >= 0");
    if (o.has_nr_io_queues() && (o.nr_io_queues() == 0 || o.nr_io_queues() > limits::kMaxCpus)) {
      error(o, "nr_io_queues", "nr_io_queues must be >= 1 and at most 65536");
    }
    if (o.has_queue_size() && (o.queue_size() < kMinQueueSize || o.queue_size() > kMaxQueueSize)) {
      error(o, "queue_size", "queue_size " + std::to_string(o.queue_size()) + " is outside 16..1024");
    }
  }

  const Topology& topo_;
  const SourceMap& map_;
  Diagnostics& diag_;
  std::map<std::string, std::string> node_names_;  // name -> kind
  std::map<std::string, std::string> addresses_;   // "traddr:trsvcid" -> port id
  std::set<std::string> link_names_;
  std::set<std::string> nqns_;
  std::set<std::string> connections_;
};

}  // namespace

void validate_topology(const Topology& topo, const SourceMap& map, Diagnostics& diag) {
  Validator(topo, map, diag).run();
}

}  // namespace mpsim::topology
