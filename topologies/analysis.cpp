#include "topologies/analysis.h"

#include <algorithm>
#include <iterator>

#include "topologies/topology.h"

namespace mpsim::topology {

namespace {

// The components in every set: what all the given paths depend on at once.
std::vector<Component> common_cut(const std::vector<const PathInfo*>& paths) {
  if (paths.empty()) return {};
  std::vector<Component> common = paths.front()->cut;
  for (const PathInfo* p : paths) {
    std::vector<Component> next;
    std::set_intersection(common.begin(), common.end(), p->cut.begin(), p->cut.end(), std::back_inserter(next));
    common = std::move(next);
  }
  return common;
}

std::string join(const std::vector<Component>& cs) {
  std::string out;
  for (const Component& c : cs) {
    if (!out.empty()) out += ", ";
    out += describe(c);
  }
  return out;
}

std::string label(const NamespaceReach& r) {
  return "host " + r.host + " -> " + r.nqn + " nsid " + std::to_string(r.nsid);
}

class Analyzer {
 public:
  explicit Analyzer(const Topology& topo) : topo_(topo), graph_(topo) { compute_paths(); }

  Analysis run() {
    for (const Host& host : topo_.hosts()) {
      for (const Subsystem& subsys : topo_.subsystems()) {
        for (const Namespace& ns : subsys.namespaces()) add_reach(host, subsys, ns);
      }
    }
    flag_spofs();
    flag_unreachable_ports();
    flag_unconnected_subsystems();
    return std::move(result_);
  }

 private:
  // Routes and cut sets depend only on the connection, not the namespace: compute them once.
  void compute_paths() {
    for (const Connection& conn : topo_.connections()) {
      routes_.push_back(graph_.route(conn));
      cuts_.push_back(graph_.cut_components(conn));
    }
  }

  void add_reach(const Host& host, const Subsystem& subsys, const Namespace& ns) {
    NamespaceReach r{host.name(), subsys.nqn(), ns.nsid(), ns.ana_grpid(), {}, {}, {}};
    for (int c = 0; c < topo_.connections_size(); ++c) {
      const Connection& conn = topo_.connections(c);
      if (conn.host() != host.name() || conn.nqn() != subsys.nqn()) continue;
      const TargetPort* port = find_port(topo_, conn.port());
      r.paths.push_back(PathInfo{c, conn.port(), port ? port_ana_state(*port, ns.ana_grpid()) : INACCESSIBLE,
                                 routes_[c], cuts_[c]});
    }
    if (r.paths.empty()) return;  // this host does not use the subsystem
    std::vector<const PathInfo*> usable, optimized;
    for (const PathInfo& p : r.paths) {
      if (p.usable()) usable.push_back(&p);
      if (p.optimized()) optimized.push_back(&p);
    }
    r.spof_any = common_cut(usable);
    r.spof_optimized = common_cut(optimized);
    judge(r, usable.empty(), optimized.empty());
    result_.reach.push_back(std::move(r));
  }

  void judge(const NamespaceReach& r, bool no_usable, bool no_optimized) {
    if (no_usable) {
      result_.failures.push_back(label(r) + ": no usable path (every path is unroutable or ANA-inaccessible)");
      return;
    }
    if (no_optimized) result_.failures.push_back(label(r) + ": no optimized path");
    if (!r.spof_any.empty()) note_spof(false, r.spof_any, r);
    if (!r.spof_optimized.empty() && r.spof_optimized != r.spof_any) note_spof(true, r.spof_optimized, r);
  }

  // Many host/namespace pairs usually share the same SPOFs (a whole array behind one switch):
  // one warning per distinct set, naming who it affects.
  struct SpofGroup {
    bool optimized;
    std::vector<Component> spofs;
    std::vector<std::string> who;
  };

  void note_spof(bool optimized, const std::vector<Component>& spofs, const NamespaceReach& r) {
    std::string who = r.host + ":" + r.nqn + "/" + std::to_string(r.nsid);
    for (SpofGroup& g : spof_groups_) {
      if (g.optimized == optimized && g.spofs == spofs) {
        g.who.push_back(who);
        return;
      }
    }
    spof_groups_.push_back({optimized, spofs, {who}});
  }

  void flag_spofs() {
    constexpr size_t kNamed = 4;
    for (const SpofGroup& g : spof_groups_) {
      std::string who;
      for (size_t i = 0; i < g.who.size() && i < kNamed; ++i) who += (i ? ", " : "") + g.who[i];
      if (g.who.size() > kNamed) who += " and " + std::to_string(g.who.size() - kNamed) + " more";
      result_.warnings.push_back(std::string("single point of failure for ") +
                                 (g.optimized ? "the optimized paths" : "all paths") + ": " + join(g.spofs) + " (" +
                                 std::to_string(g.who.size()) + " host/namespace pair" +
                                 (g.who.size() == 1 ? "" : "s") + ": " + who + ")");
    }
  }

  void flag_unreachable_ports() {
    for (int c = 0; c < topo_.connections_size(); ++c) {
      if (routes_[c]) continue;
      const Connection& conn = topo_.connections(c);
      std::string from = conn.host_nic().empty() ? "host " + conn.host() : "NIC " + conn.host() + "." + conn.host_nic();
      result_.failures.push_back("connection " + std::to_string(c) + " (" + conn.host() + " -> " + conn.port() + ", " +
                                 conn.nqn() + "): port " + conn.port() + " is unreachable from " + from);
    }
  }

  void flag_unconnected_subsystems() {
    for (const Subsystem& subsys : topo_.subsystems()) {
      bool used = std::any_of(topo_.connections().begin(), topo_.connections().end(),
                              [&](const Connection& c) { return c.nqn() == subsys.nqn(); });
      if (!used) result_.warnings.push_back("subsystem " + subsys.nqn() + ": no host connects to it");
    }
  }

  const Topology& topo_;
  FabricGraph graph_;
  std::vector<std::optional<Route>> routes_;
  std::vector<std::vector<Component>> cuts_;
  std::vector<SpofGroup> spof_groups_;
  Analysis result_;
};

}  // namespace

bool NamespaceReach::reachable() const {
  return std::any_of(paths.begin(), paths.end(), [](const PathInfo& p) { return p.usable(); });
}

bool NamespaceReach::optimized_reachable() const {
  return std::any_of(paths.begin(), paths.end(), [](const PathInfo& p) { return p.optimized(); });
}

Analysis analyze(const Topology& topo) { return Analyzer(topo).run(); }

}  // namespace mpsim::topology
