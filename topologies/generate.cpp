// The fabric families of topology.proto's Generator, expanded from their parameters. Element
// order is part of the contract: the simulator is deterministic in it, and the library files
// (leaf-spine.textproto, dual-fabric.textproto) are checked against these expansions.
#include "topologies/generate.h"

#include <string>
#include <vector>

namespace mpsim::topology {
namespace {

// prefix + number (GCC 12 warns falsely on `"literal" + std::to_string(n)`).
std::string numbered(std::string prefix, std::uint64_t n) {
  prefix += std::to_string(n);
  return prefix;
}

void add_link(Topology& t, const std::string& a, const std::string& b, const std::string& bandwidth, double latency_us) {
  Link* l = t.add_links();
  l->set_a(a);
  l->set_b(b);
  l->set_bandwidth(bandwidth);
  l->set_latency_us(latency_us);
}

template <typename T>
std::string or_default(const std::string& value, T dflt) {
  return value.empty() ? std::string(dflt) : value;
}

// ANA groups of an array of `nodes` target nodes under `layout`.
std::uint32_t group_count(AnaLayout layout, std::uint32_t nodes) { return layout == OWNED ? nodes : 1; }

// What node `k` (0-based within its array) reports for group `g`.
AnaState ana_state(AnaLayout layout, std::uint32_t k, std::uint32_t g) {
  switch (layout) {
    case ALL_OPTIMIZED: return OPTIMIZED;
    case ACTIVE_PASSIVE: return k == 0 ? OPTIMIZED : NON_OPTIMIZED;
    default: return g == k + 1 ? OPTIMIZED : NON_OPTIMIZED;
  }
}

void add_ana_groups(TargetPort* port, AnaLayout layout, std::uint32_t k, std::uint32_t groups) {
  for (std::uint32_t g = 1; g <= groups; ++g) {
    AnaGroup* grp = port->add_ana_groups();
    grp->set_grpid(g);
    grp->set_state(ana_state(layout, k, g));
  }
}

void add_host(Topology& t, const std::string& name, std::uint32_t numa_nodes, std::uint32_t cpus, std::uint32_t nics,
              const std::string& speed) {
  Host* h = t.add_hosts();
  h->set_name(name);
  for (std::uint32_t n = 0; n < numa_nodes; ++n) {
    NumaNode* numa = h->add_numa_nodes();
    numa->set_id(n);
    numa->set_cpus(cpus);
  }
  for (std::uint32_t k = 0; k < nics; ++k) {
    Nic* nic = h->add_nics();
    nic->set_name(numbered("nic", k));
    nic->set_speed(speed);
    nic->set_numa_node(k % numa_nodes);
  }
}

void add_namespace(Subsystem* sub, std::uint32_t nsid, std::uint32_t grpid, const std::string& size,
                   const std::string& media) {
  Namespace* ns = sub->add_namespaces();
  ns->set_nsid(nsid);
  ns->set_size(size);
  ns->set_ana_grpid(grpid);
  ns->set_media(media);
}

// Resolved leaf-spine parameters.
struct LeafSpineShape {
  std::uint32_t hosts, hosts_per_rack, nics, spines, racks, arrays, nodes_per_array, namespaces, groups;
  bool on_spines;
  std::uint32_t attach_count() const { return on_spines ? spines : nics; }
};

LeafSpineShape shape_of(const LeafSpine& p) {
  LeafSpineShape s{};
  s.hosts = p.hosts();
  s.hosts_per_rack = p.has_hosts_per_rack() ? p.hosts_per_rack() : 32;
  s.nics = p.has_nics_per_host() ? p.nics_per_host() : 1;
  s.spines = p.has_spines() ? p.spines() : 2;
  s.racks = (s.hosts + s.hosts_per_rack - 1) / s.hosts_per_rack;
  s.on_spines = p.arrays_at() == LeafSpine::SPINES;
  s.arrays = s.on_spines ? (p.has_arrays() ? p.arrays() : 1) : s.racks;
  s.nodes_per_array = p.has_nodes_per_array() ? p.nodes_per_array() : 4;
  s.namespaces = p.has_namespaces_per_array() ? p.namespaces_per_array() : 4;
  s.groups = group_count(p.ana_layout(), s.nodes_per_array);
  return s;
}

}  // namespace

Topology generate_leaf_spine(const LeafSpine& p) {
  const LeafSpineShape s = shape_of(p);
  const std::uint32_t ports = p.has_ports_per_node() ? p.ports_per_node() : s.attach_count();
  const double access_us = p.has_access_latency_us() ? p.access_latency_us() : 1.0;
  const std::string port_speed = or_default(p.port_speed(), "100Gbps");
  Topology t;
  t.set_name(p.name().empty() ? numbered("leaf-spine-", s.hosts) : p.name());
  t.set_description(numbered("", s.hosts) + " hosts, " + numbered("", s.racks * s.nics) + " leaves, " +
                    numbered("", s.spines) + " spines, " + numbered("", s.arrays) + " arrays (" +
                    numbered("", s.arrays * s.nodes_per_array) + " target nodes), " +
                    numbered("", s.arrays * s.namespaces) + " namespaces");

  for (std::uint32_t sp = 0; sp < s.spines; ++sp) t.add_switches()->set_name(numbered("spine-", sp));
  for (std::uint32_t l = 0; l < s.racks * s.nics; ++l) {
    t.add_switches()->set_name(numbered("leaf-", l));
    for (std::uint32_t sp = 0; sp < s.spines; ++sp) {
      add_link(t, numbered("leaf-", l), numbered("spine-", sp), or_default(p.uplink_speed(), "400Gbps"),
               p.has_fabric_latency_us() ? p.fabric_latency_us() : 1.0);
    }
  }

  const std::uint32_t numa = p.has_numa_nodes_per_host() ? p.numa_nodes_per_host() : 1;
  const std::string nic_speed = or_default(p.nic_speed(), "25Gbps");
  for (std::uint32_t i = 0; i < s.hosts; ++i) {
    add_host(t, numbered("h", i), numa, p.has_cpus_per_numa_node() ? p.cpus_per_numa_node() : 8, s.nics, nic_speed);
    for (std::uint32_t k = 0; k < s.nics; ++k) {
      add_link(t, numbered("h", i) + numbered(".nic", k), numbered("leaf-", i / s.hosts_per_rack * s.nics + k), nic_speed,
               access_us);
    }
  }

  std::vector<std::string> nqns;
  for (std::uint32_t a = 0; a < s.arrays; ++a) {
    Subsystem* sub = t.add_subsystems();
    nqns.push_back(s.arrays == 1 ? std::string("nqn.2026-11.io.mpsim:leaf-spine")
                                 : numbered("nqn.2026-11.io.mpsim:leaf-spine-a", a));
    sub->set_nqn(nqns.back());
    for (std::uint32_t k = 0; k < s.nodes_per_array; ++k) {
      const std::uint32_t n = a * s.nodes_per_array + k;
      TargetNode* node = t.add_target_nodes();
      node->set_name(numbered("node-", n));
      node->set_cpus(p.has_target_cpus() ? p.target_cpus() : 32);
      for (std::uint32_t q = 0; q < ports; ++q) {
        const std::uint32_t attach = q % s.attach_count();
        TargetPort* port = node->add_ports();
        port->set_name(numbered("p", q));
        port->set_traddr(numbered("10.", 1 + n / 256) + numbered(".", n % 256) + numbered(".", q + 1));
        port->set_trsvcid(4420);
        port->set_speed(port_speed);
        add_ana_groups(port, p.ana_layout(), k, s.groups);
        std::string sw = s.on_spines ? numbered("spine-", attach) : numbered("leaf-", a * s.nics + attach);
        add_link(t, sw, node->name() + "." + port->name(), port_speed, access_us);
        sub->add_ports(node->name() + "." + port->name());
      }
    }
    for (std::uint32_t ns = 1; ns <= s.namespaces; ++ns) {
      add_namespace(sub, ns, (ns - 1) % s.groups + 1, or_default(p.namespace_size(), "1TiB"),
                    or_default(p.media(), "nand-tlc-gen4"));
    }
  }

  for (std::uint32_t i = 0; i < s.hosts; ++i) {
    for (std::uint32_t a = 0; a < s.arrays; ++a) {
      for (std::uint32_t k = 0; k < s.nodes_per_array; ++k) {
        for (std::uint32_t q = 0; q < ports; ++q) {
          Connection* c = t.add_connections();
          c->set_host(numbered("h", i));
          c->set_port(numbered("node-", a * s.nodes_per_array + k) + numbered(".p", q));
          c->set_nqn(nqns[a]);
        }
      }
    }
  }
  return t;
}

Topology generate_dual_fabric(const DualFabric& p) {
  const std::uint32_t hosts = p.has_hosts() ? p.hosts() : 4;
  const std::uint32_t nodes = p.has_target_nodes() ? p.target_nodes() : 2;
  const std::uint32_t namespaces = p.has_namespaces() ? p.namespaces() : 4;
  const std::uint32_t groups = group_count(p.ana_layout(), nodes);
  const double latency_us = p.has_latency_us() ? p.latency_us() : 2.0;
  const std::string nic_speed = or_default(p.nic_speed(), "25Gbps");
  const std::string port_speed = or_default(p.port_speed(), "100Gbps");
  const char* fabrics[] = {"fab-a", "fab-b"};
  auto node_name = [](std::uint32_t k) { return std::string("node-") + static_cast<char>('a' + k); };

  Topology t;
  t.set_name(or_default(p.name(), "dual-fabric"));
  t.set_description(numbered("", hosts) + " hosts, fabrics A and B, " + numbered("", nodes) +
                    " target nodes x 2 ports, " + numbered("", namespaces) + " namespaces");
  for (std::uint32_t i = 0; i < hosts; ++i) {
    add_host(t, numbered("h", i), 2, p.has_cpus_per_numa_node() ? p.cpus_per_numa_node() : 8, 2, nic_speed);
  }
  for (const char* fabric : fabrics) t.add_switches()->set_name(fabric);
  for (std::uint32_t k = 0; k < nodes; ++k) {
    TargetNode* node = t.add_target_nodes();
    node->set_name(node_name(k));
    node->set_cpus(p.has_target_cpus() ? p.target_cpus() : 16);
    for (std::uint32_t f = 0; f < 2; ++f) {
      TargetPort* port = node->add_ports();
      port->set_name(numbered("p", f));
      port->set_traddr(numbered("10.", f + 1) + numbered(".0.", 10 + k));
      port->set_trsvcid(4420);
      port->set_speed(port_speed);
      add_ana_groups(port, p.ana_layout(), k, groups);
    }
  }
  for (std::uint32_t f = 0; f < 2; ++f) {
    for (std::uint32_t i = 0; i < hosts; ++i) add_link(t, numbered("h", i) + numbered(".nic", f), fabrics[f], nic_speed, latency_us);
    for (std::uint32_t k = 0; k < nodes; ++k) add_link(t, node_name(k) + numbered(".p", f), fabrics[f], port_speed, latency_us);
  }
  Subsystem* sub = t.add_subsystems();
  sub->set_nqn("nqn.2026-11.io.mpsim:" + t.name());
  for (std::uint32_t k = 0; k < nodes; ++k) {
    for (std::uint32_t f = 0; f < 2; ++f) sub->add_ports(node_name(k) + numbered(".p", f));
  }
  for (std::uint32_t ns = 0; ns < namespaces; ++ns) {
    // Equal blocks: with 4 namespaces and 2 groups, nsid 1-2 in group 1, 3-4 in group 2.
    add_namespace(sub, ns + 1, ns * groups / namespaces + 1, or_default(p.namespace_size(), "1TiB"),
                  or_default(p.media(), "nand-tlc-gen4"));
  }
  for (std::uint32_t i = 0; i < hosts; ++i) {
    for (std::uint32_t k = 0; k < nodes; ++k) {
      for (std::uint32_t f = 0; f < 2; ++f) {
        Connection* c = t.add_connections();
        c->set_host(numbered("h", i));
        c->set_port(node_name(k) + numbered(".p", f));
        c->set_nqn(sub->nqn());
      }
    }
  }
  return t;
}

Topology generate(const Generator& gen) {
  return gen.has_dual_fabric() ? generate_dual_fabric(gen.dual_fabric()) : generate_leaf_spine(gen.leaf_spine());
}

}  // namespace mpsim::topology
