#include "experiments/leaf_spine.h"

#include "models/model_set.h"

namespace mpsim::experiments {
namespace {

constexpr std::uint32_t kHostsPerLeaf = 32;
constexpr std::uint32_t kSpines = 2;
constexpr std::uint32_t kTargetNodes = 4;

// prefix + number; (GCC 12 warns falsely on `"literal" + std::to_string(n)`).
std::string numbered(std::string prefix, std::uint32_t n) {
  prefix += std::to_string(n);
  return prefix;
}

void add_link(topology::Topology& t, const std::string& a, const std::string& b, const char* bandwidth) {
  topology::Link* l = t.add_links();
  l->set_a(a);
  l->set_b(b);
  l->set_bandwidth(bandwidth);
  l->set_latency_us(1.0);
}

std::string host_name(std::uint32_t i) { return numbered("h", i); }
std::string node_name(std::uint32_t n) { return numbered("node-", n); }
std::string port_name(std::uint32_t n, std::uint32_t s) { return node_name(n) + numbered(".p", s); }

void add_switches(topology::Topology& t, std::uint32_t leaves) {
  for (std::uint32_t s = 0; s < kSpines; ++s) t.add_switches()->set_name(numbered("spine-", s));
  for (std::uint32_t l = 0; l < leaves; ++l) {
    std::string leaf = numbered("leaf-", l);
    t.add_switches()->set_name(leaf);
    for (std::uint32_t s = 0; s < kSpines; ++s) add_link(t, leaf, numbered("spine-", s), "400Gbps");
  }
}

void add_hosts(topology::Topology& t, std::uint32_t hosts) {
  for (std::uint32_t i = 0; i < hosts; ++i) {
    topology::Host* h = t.add_hosts();
    h->set_name(host_name(i));
    topology::NumaNode* numa = h->add_numa_nodes();
    numa->set_id(0);
    numa->set_cpus(8);
    topology::Nic* nic = h->add_nics();
    nic->set_name("nic0");
    nic->set_speed("25Gbps");
    add_link(t, host_name(i) + ".nic0", numbered("leaf-", i / kHostsPerLeaf), "25Gbps");
  }
}

void add_targets(topology::Topology& t) {
  topology::Subsystem* sub = t.add_subsystems();
  sub->set_nqn(kLeafSpineNqn);
  for (std::uint32_t n = 0; n < kTargetNodes; ++n) {
    topology::TargetNode* node = t.add_target_nodes();
    node->set_name(node_name(n));
    node->set_cpus(32);
    for (std::uint32_t s = 0; s < kSpines; ++s) {
      topology::TargetPort* p = node->add_ports();
      p->set_name(numbered("p", s));
      p->set_traddr(numbered("10.1.", n) + numbered(".", s + 1));
      p->set_trsvcid(4420);
      p->set_speed("100Gbps");
      for (std::uint32_t g = 1; g <= kTargetNodes; ++g) {
        topology::AnaGroup* grp = p->add_ana_groups();
        grp->set_grpid(g);
        grp->set_state(g == n + 1 ? topology::OPTIMIZED : topology::NON_OPTIMIZED);
      }
      add_link(t, numbered("spine-", s), port_name(n, s), "100Gbps");
      sub->add_ports(port_name(n, s));
    }
  }
  for (std::uint32_t g = 1; g <= kTargetNodes; ++g) {
    topology::Namespace* ns = sub->add_namespaces();
    ns->set_nsid(g);
    ns->set_size("1TiB");
    ns->set_ana_grpid(g);
    ns->set_media("nand-tlc-gen4");
  }
}

void add_connections(topology::Topology& t, std::uint32_t hosts) {
  for (std::uint32_t i = 0; i < hosts; ++i) {
    for (std::uint32_t n = 0; n < kTargetNodes; ++n) {
      for (std::uint32_t s = 0; s < kSpines; ++s) {
        topology::Connection* c = t.add_connections();
        c->set_host(host_name(i));
        c->set_port(port_name(n, s));
        c->set_nqn(kLeafSpineNqn);
      }
    }
  }
}

}  // namespace

topology::Topology make_leaf_spine(std::uint32_t hosts) {
  topology::Topology t;
  t.set_name(numbered("leaf-spine-", hosts));
  add_switches(t, (hosts + kHostsPerLeaf - 1) / kHostsPerLeaf);
  add_hosts(t, hosts);
  add_targets(t);
  add_connections(t, hosts);
  return t;
}

sim::Scenario make_leaf_spine_scenario(std::uint32_t hosts, std::uint32_t iodepth, sim::Duration runtime,
                                       const std::string& policy, std::uint64_t seed) {
  sim::Scenario s;
  s.name = numbered("leaf-spine-", hosts);
  s.topology = make_leaf_spine(hosts);
  for (std::uint32_t i = 0; i < hosts; ++i) {
    sim::JobSpec j;
    j.name = "randread-" + host_name(i);
    j.host = host_name(i);
    j.nqn = kLeafSpineNqn;
    j.nsid = i % kTargetNodes + 1;
    j.rw = sim::RwMode::RandRead;
    j.iodepth = iodepth;
    j.runtime = runtime;
    j.start_delay = std::chrono::milliseconds(10);  // fio starts after `nvme connect` returns
    s.jobs.push_back(j);
  }
  s.policy.name = policy;
  s.models = models::default_models();
  s.seed = seed;
  s.duration = std::chrono::milliseconds(10) + runtime;
  return s;
}

}  // namespace mpsim::experiments
