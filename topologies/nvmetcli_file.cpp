// One nvmetcli file converted into the import's topology (see nvmetcli_import.h): its ports
// with their ANA groups, and its subsystems and namespaces merged into those of earlier files.
#include <cstdlib>
#include <optional>

#include "topologies/nvmetcli_import.h"

namespace mpsim::topology::nvmetcli_import {

namespace {

namespace nc = nvmetcli;

std::optional<AnaState> ana_state_from(const std::string& s) {
  static const std::map<std::string, AnaState> states{{"optimized", OPTIMIZED},
                                                      {"non-optimized", NON_OPTIMIZED},
                                                      {"inaccessible", INACCESSIBLE},
                                                      {"persistent-loss", PERSISTENT_LOSS},
                                                      {"change", CHANGE}};
  auto it = states.find(s);
  if (it == states.end()) return std::nullopt;
  return it->second;
}

// The conversion of one file: the shared state in m_, what only this file needs beside it.
class FileConversion {
 public:
  explicit FileConversion(Merge& m) : m_(m) {}

  void add_file(size_t f) {
    const nc::Config& config = m_.files[f].config;
    TargetNode* node = m_.topo.add_target_nodes();
    node->set_name(m_.files.size() == 1 ? "nvmet" : "nvmet" + std::to_string(f));
    node->set_cpus(m_.opt.target_cpus);
    exports_.clear();
    port_fields_.clear();
    std::set<std::string> port_names;
    for (int p = 0; p < config.ports_size(); ++p) add_port(f, *node, p, port_names);
    if (node->ports_size() == 0) {  // a target node needs a port (the file's "ports" missing, empty or not TCP)
      m_.error(f, "ports", config.ports_size() == 0 ? "no port: the file needs at least one TCP port"
                                                     : "no TCP port: every port was skipped (only TCP is modelled)");
    }
    std::set<std::string> nqns;
    for (int s = 0; s < config.subsystems_size(); ++s) add_subsystem(f, s, nqns);
    for (const auto& [nqn, ports] : exports_) {
      if (!nqns.count(nqn)) m_.error(f, port_fields_[ports.front()] + ".subsystems", "port exports unknown subsystem \"" + nqn + "\"");
    }
  }

 private:

  void add_port(size_t f, TargetNode& node, int p, std::set<std::string>& port_names) {
    const nc::Port& in = m_.files[f].config.ports(p);
    std::string field = idx("ports", p);
    std::string trtype = in.addr().trtype().empty() ? "tcp" : in.addr().trtype();
    if (trtype != "tcp") {
      m_.notes.push_back(m_.note_prefix(f) + "port " + std::to_string(in.portid()) + " skipped: transport \"" + trtype +
                         "\" is not modelled");
      return;
    }
    if (in.addr().traddr().empty()) m_.error(f, field + ".addr.traddr", "required field is missing");
    uint32_t trsvcid = parse_trsvcid(f, in.addr().trsvcid(), field + ".addr.trsvcid");
    std::string adrfam = in.addr().adrfam().empty() ? "ipv4" : in.addr().adrfam();
    if (adrfam != "ipv4" && adrfam != "ipv6") m_.error(f, field + ".addr.adrfam", "\"" + adrfam + "\" is not ipv4 or ipv6");
    if (!in.addr().traddr().empty() && trsvcid != 0) {
      const std::string address = in.addr().traddr() + ":" + std::to_string(trsvcid);
      auto [it, fresh] = m_.addresses.emplace(address, m_.files[f].source + " " + field);
      if (!fresh) m_.error(f, field + ".addr", "address " + address + " is already used by " + it->second);
    }
    TargetPort* port = node.add_ports();
    port->set_name("port" + std::to_string(in.portid()));
    if (!port_names.insert(port->name()).second) m_.error(f, field + ".portid", "duplicate portid " + std::to_string(in.portid()));
    port->set_trtype("tcp");
    port->set_adrfam(adrfam);
    port->set_traddr(in.addr().traddr());
    port->set_trsvcid(trsvcid);
    port->set_speed(m_.opt.port_speed);
    add_port_groups(f, *port, in, field);
    std::string id = port_id(node, *port);
    m_.add_link(id, m_.opt.port_speed);
    std::set<std::string> exported;
    for (int k = 0; k < in.subsystems_size(); ++k) {
      const std::string& nqn = in.subsystems(k);
      if (!exported.insert(nqn).second) {
        m_.error(f, field + "." + idx("subsystems", k), "subsystem \"" + nqn + "\" is listed twice on this port");
        continue;
      }
      exports_[nqn].push_back(id);
    }
    port_fields_[id] = field;
  }

  uint32_t parse_trsvcid(size_t f, const std::string& text, const std::string& field) {
    if (text.empty()) {
      m_.error(f, field, "required field is missing");
      return 0;
    }
    char* end = nullptr;
    unsigned long v = std::strtoul(text.c_str(), &end, 10);
    if (*end != '\0' || v == 0 || v > 65535) {
      m_.error(f, field, "\"" + text + "\" is not a TCP port number (1..65535)");
      return 0;
    }
    return static_cast<uint32_t>(v);
  }

  void add_port_groups(size_t f, TargetPort& port, const nc::Port& in, const std::string& field) {
    bool has_default = false;
    std::set<uint32_t> grpids;
    for (int g = 0; g < in.ana_groups_size(); ++g) {
      const nc::AnaGroup& group = in.ana_groups(g);
      std::string gfield = field + "." + idx("ana_groups", g);
      if (group.grpid() < 1 || group.grpid() > 128) m_.error(f, gfield + ".grpid", "ANA group id must be 1..128");
      else if (!grpids.insert(group.grpid()).second) {
        m_.error(f, gfield + ".grpid", "duplicate ANA group " + std::to_string(group.grpid()) + " on this port");
      }
      auto state = ana_state_from(group.ana().state());
      if (!state) m_.error(f, gfield + ".ana.state", "unknown ANA state \"" + group.ana().state() + "\"");
      AnaGroup* out = port.add_ana_groups();
      out->set_grpid(group.grpid());
      out->set_state(state.value_or(INACCESSIBLE));
      has_default = has_default || group.grpid() == kDefaultAnaGroup;
    }
    if (!has_default) {
      AnaGroup* out = port.add_ana_groups();
      out->set_grpid(kDefaultAnaGroup);
      out->set_state(OPTIMIZED);
    }
  }

  void add_subsystem(size_t f, int s, std::set<std::string>& nqns) {
    const nc::Subsystem& in = m_.files[f].config.subsystems(s);
    std::string field = idx("subsystems", s);
    if (in.nqn().empty()) {
      m_.error(f, field + ".nqn", "required field is missing");
      return;
    }
    if (in.nqn().size() > kMaxNqnLength) m_.error(f, field + ".nqn", "NQN is longer than 223 bytes");
    if (!nqns.insert(in.nqn()).second) {
      m_.error(f, field + ".nqn", "duplicate subsystem \"" + in.nqn() + "\"");
      return;
    }
    auto ports = exports_.find(in.nqn());
    if (ports == exports_.end()) {
      m_.notes.push_back(m_.note_prefix(f) + "subsystem " + in.nqn() + " skipped: no TCP port exports it");
      return;
    }
    auto [state_it, first] = m_.subsystems.try_emplace(in.nqn());
    SubsystemState& state = state_it->second;
    Subsystem* out = find_or_add_subsystem(in.nqn());
    for (const std::string& id : ports->second) out->add_ports(id);
    // nvmetcli writes allow_any_host "1" with an empty list; an absent attr means the same.
    if (in.attr().allow_any_host() != "0") state.any_host = true;
    for (const std::string& nqn : in.allowed_hosts()) {
      if (m_.host_names.count(nqn)) state.hosts.insert(m_.host_names.at(nqn));
    }
    std::set<uint32_t> nsids;
    for (int n = 0; n < in.namespaces_size(); ++n) {
      add_namespace(f, *out, state, in.namespaces(n), field + "." + idx("namespaces", n), nsids, first);
    }
  }

  Subsystem* find_or_add_subsystem(const std::string& nqn) {
    for (Subsystem& s : *m_.topo.mutable_subsystems()) {
      if (s.nqn() == nqn) return &s;
    }
    Subsystem* s = m_.topo.add_subsystems();
    s->set_nqn(nqn);
    return s;
  }

  void add_namespace(size_t f, Subsystem& subsys, SubsystemState& state, const nc::Namespace& in,
                     const std::string& field, std::set<uint32_t>& nsids, bool first_file) {
    if (in.nsid() == 0) m_.error(f, field + ".nsid", "required field is missing");
    else if (!nsids.insert(in.nsid()).second) {
      m_.error(f, field + ".nsid", "duplicate nsid " + std::to_string(in.nsid()) + " in this subsystem");
      return;
    }
    if (in.has_enable() && in.enable() == 0) {
      m_.notes.push_back(m_.note_prefix(f) + "namespace " + std::to_string(in.nsid()) + " of " + subsys.nqn() +
                         " skipped: disabled");
      return;
    }
    uint32_t grpid = in.ana_grpid() == 0 ? kDefaultAnaGroup : in.ana_grpid();
    if (grpid > 128) m_.error(f, field + ".ana_grpid", "ANA group id must be 1..128");
    const NamespaceOrigin here{m_.files[f].source + " " + field, grpid};
    auto [it, fresh] = state.namespaces.emplace(in.nsid(), here);
    if (!fresh) {  // the same subsystem in another file: the namespace must be the same one
      if (it->second.grpid != grpid) {
        m_.error(f, field + ".ana_grpid", "nsid " + std::to_string(in.nsid()) + " is in ANA group " + std::to_string(grpid) +
                                           " here but in group " + std::to_string(it->second.grpid) + " in " + it->second.where);
      }
      return;
    }
    if (!first_file) m_.notes.push_back(m_.note_prefix(f) + "nsid " + std::to_string(in.nsid()) + " of " + subsys.nqn() +
                                         " is exported by this file only");
    Namespace* ns = subsys.add_namespaces();
    ns->set_nsid(in.nsid());
    ns->set_size(m_.opt.ns_size);
    ns->set_ana_grpid(grpid);
    ns->set_media(m_.opt.media);
  }

  Merge& m_;
  std::map<std::string, std::vector<std::string>> exports_;  // nqn -> exporting port ids
  std::map<std::string, std::string> port_fields_;           // port id -> "ports[i]"
};

}  // namespace

std::string idx(const std::string& field, int i) { return field + "[" + std::to_string(i) + "]"; }

void add_file(Merge& m, size_t f) { FileConversion(m).add_file(f); }

}  // namespace mpsim::topology::nvmetcli_import
