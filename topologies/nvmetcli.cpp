#include "topologies/nvmetcli.h"

#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>

#include <sstream>

#include "topologies/file_io.h"
#include "topologies/nvmetcli_import.h"

namespace mpsim::topology {

namespace nvmetcli_import {

void Merge::add_link(const std::string& end, const std::string& bandwidth) {
  Link* link = topo.add_links();
  link->set_a(end);
  link->set_b("sw0");
  link->set_bandwidth(bandwidth);
  link->set_latency_us(opt.link_latency_us);
}

}  // namespace nvmetcli_import

namespace {

using namespace nvmetcli_import;

// The header is comments: a user's string with a newline or another control character (an NQN,
// a file name) would end the comment or stop the tokenizer, so those bytes are written escaped.
std::string comment_text(const std::string& s) {
  std::string out;
  for (const char c : s) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte != 0x7f) {
      out += c;
      continue;
    }
    static const char kHex[] = "0123456789abcdef";
    out += "\\x";
    out += kHex[byte >> 4];
    out += kHex[byte & 0xf];
  }
  return out;
}

// The import over every file: hosts, the switch, each file's target node (nvmetcli_file.cpp),
// then what nvmet implies (ANA groups, connections) and the header listing every default.
class Importer {
 public:
  Importer(const std::vector<ParsedFile>& files, const NvmetcliImportOptions& options) : m_(files, options) {}

  std::string run() {
    check_options();
    m_.topo.set_name("nvmetcli-import");
    std::string sources;
    for (const ParsedFile& f : m_.files) sources += (sources.empty() ? "" : ", ") + f.source;
    m_.topo.set_description("imported from " + sources);
    collect_hosts();
    add_hosts_and_switch();
    for (size_t f = 0; f < m_.files.size(); ++f) add_file(m_, f);
    m_.diag.throw_if_any();
    for (TargetNode& node : *m_.topo.mutable_target_nodes()) add_missing_groups(node);
    add_connections();
    return header() + print();
  }

 private:
  // The options come from the command line, so their errors name the flag, not the file.
  void check_options() {
    std::vector<std::string> problems;
    auto check = [&](const char* flag, auto parse, const std::string& value) {
      try {
        parse(value);
      } catch (const std::invalid_argument& e) {
        problems.push_back(std::string(flag) + ": " + e.what());
      }
    };
    check("--ns-size", [](const std::string& v) { parse_size(v); }, m_.opt.ns_size);
    check("--host-nic-speed", [](const std::string& v) { parse_bandwidth(v); }, m_.opt.nic_speed);
    check("--port-speed", [](const std::string& v) { parse_bandwidth(v); }, m_.opt.port_speed);
    if (m_.opt.media.empty()) problems.push_back("--media: must not be empty");
    if (m_.opt.host_cpus == 0 || m_.opt.target_cpus == 0) problems.push_back("--host-cpus/--target-cpus: must be > 0");
    if (m_.opt.host_cpus > limits::kMaxCpus || m_.opt.target_cpus > limits::kMaxCpus) {
      problems.push_back("--host-cpus/--target-cpus: must be at most " + std::to_string(limits::kMaxCpus));
    }
    if (!problems.empty()) throw InputError(problems);
  }

  // One host per NQN that some subsystem restricts itself to, in order of first appearance.
  void collect_hosts() {
    for (size_t f = 0; f < m_.files.size(); ++f) {
      const nvmetcli::Config& config = m_.files[f].config;
      for (int s = 0; s < config.subsystems_size(); ++s) {
        const nvmetcli::Subsystem& sub = config.subsystems(s);
        for (int h = 0; h < sub.allowed_hosts_size(); ++h) {
          const std::string& nqn = sub.allowed_hosts(h);
          const std::string field = idx("subsystems", s) + "." + idx("allowed_hosts", h);
          if (nqn.empty()) m_.error(f, field, "empty host NQN");
          else if (nqn.size() > kMaxNqnLength) m_.error(f, field, "host NQN is longer than 223 bytes");
          else if (!m_.host_names.count(nqn)) {
            m_.host_names[nqn] = "host" + std::to_string(host_order_.size());
            host_order_.push_back(nqn);
          }
        }
      }
    }
    if (host_order_.empty()) host_order_.push_back("");  // nobody is restricted: one host for all
  }

  void add_hosts_and_switch() {
    m_.topo.add_switches()->set_name("sw0");
    for (size_t i = 0; i < host_order_.size(); ++i) {
      Host* host = m_.topo.add_hosts();
      host->set_name("host" + std::to_string(i));
      NumaNode* numa = host->add_numa_nodes();
      numa->set_id(0);
      numa->set_cpus(m_.opt.host_cpus);
      Nic* nic = host->add_nics();
      nic->set_name("nic0");
      nic->set_speed(m_.opt.nic_speed);
      m_.add_link(host->name() + ".nic0", m_.opt.nic_speed);
    }
  }

  // nvmet answers for every group on every port: group 1 optimized by default, any other group
  // the port was not configured with inaccessible. Write those states out explicitly.
  void add_missing_groups(TargetNode& node) {
    for (const Subsystem& subsys : m_.topo.subsystems()) {
      for (const Namespace& ns : subsys.namespaces()) {
        for (const std::string& id : subsys.ports()) {
          auto end = resolve_endpoint(m_.topo, id);
          if (!end || m_.topo.target_nodes(end->owner).name() != node.name()) continue;
          TargetPort* port = node.mutable_ports(end->index);
          bool present = false;
          for (const AnaGroup& g : port->ana_groups()) present = present || g.grpid() == ns.ana_grpid();
          if (present) continue;
          AnaGroup* g = port->add_ana_groups();
          g->set_grpid(ns.ana_grpid());
          g->set_state(INACCESSIBLE);
        }
      }
    }
  }

  void add_connections() {
    for (const Subsystem& subsys : m_.topo.subsystems()) {
      const SubsystemState& state = m_.subsystems.at(subsys.nqn());
      for (const Host& host : m_.topo.hosts()) {
        if (!state.any_host && !state.hosts.count(host.name())) continue;
        for (const std::string& port : subsys.ports()) {
          Connection* conn = m_.topo.add_connections();
          conn->set_host(host.name());
          conn->set_port(port);
          conn->set_nqn(subsys.nqn());
        }
      }
    }
  }

  std::string header() const {
    std::ostringstream h;
    std::string sources;
    for (const ParsedFile& f : m_.files) sources += (sources.empty() ? "" : ", ") + f.source;
    h << "# Imported by `mpsim topo import --nvmetcli` from " << comment_text(sources) << ".\n"
      << "# The target side (ports, ANA groups, subsystems, namespaces) comes from "
      << (m_.files.size() == 1 ? "that file, as one\n# target node \"nvmet\"" : "those files, one target node\n# each (\"nvmet0\", ...)")
      << ". Everything nvmetcli does not record was filled with these defaults:\n"
      << "#   target node cpus: " << m_.opt.target_cpus << "; port speed: " << m_.opt.port_speed << "\n"
      << "#   namespace size: " << m_.opt.ns_size << " (nvmetcli does not know it; --ns-size); media: " << m_.opt.media
      << " (--media)\n";
    if (host_order_.size() == 1 && host_order_.front().empty()) {
      h << "#   host \"host0\": 1 NUMA node with " << m_.opt.host_cpus << " cpus (--host-cpus), NIC nic0 at "
        << m_.opt.nic_speed << " (--host-nic-speed)\n";
    } else {
      h << "#   one host per allowed host NQN, each 1 NUMA node with " << m_.opt.host_cpus
        << " cpus (--host-cpus), NIC nic0 at " << m_.opt.nic_speed << " (--host-nic-speed):\n";
      for (size_t i = 0; i < host_order_.size(); ++i) h << "#     host" << i << " = " << comment_text(host_order_[i]) << "\n";
    }
    h << "#   one switch \"sw0\" cabled to every host NIC and every port; every link " << m_.opt.link_latency_us
      << "us one way\n"
      << "#   each host connects to every (port, subsystem) pair it is allowed on, with the kernel's default options\n"
      << "#   a port without ANA group 1 gets it optimized, and a group a port was not configured with is\n"
      << "#   inaccessible there (nvmet's defaults)\n";
    for (const std::string& note : m_.notes) h << "# NOTE: " << comment_text(note) << "\n";
    return h.str() + "\n";
  }

  std::string print() const {
    std::string text;
    google::protobuf::TextFormat::PrintToString(m_.topo, &text);
    return text;
  }

  Merge m_;
  std::vector<std::string> host_order_;  // host NQNs; {""} = one unrestricted host
};

}  // namespace

std::string import_nvmetcli(const std::vector<NvmetcliInput>& inputs, const NvmetcliImportOptions& options) {
  std::vector<ParsedFile> files;
  std::vector<std::string> problems;
  for (const NvmetcliInput& in : inputs) {
    ParsedFile f;
    f.source = in.source;
    google::protobuf::util::JsonParseOptions parse_options;
    parse_options.ignore_unknown_fields = true;
    auto status = google::protobuf::util::JsonStringToMessage(in.json, &f.config, parse_options);
    if (!status.ok()) problems.push_back(in.source + ": not a valid nvmetcli save file: " + std::string(status.message()));
    files.push_back(std::move(f));
  }
  if (!problems.empty()) throw InputError(problems);
  if (files.empty()) throw InputError("mpsim topo import: no nvmetcli file given");
  std::string text = Importer(files, options).run();
  // Every rule of the user's files is checked above, against their JSON fields; a failure here
  // means the importer missed one, and the message says so rather than pointing at lines the
  // user never saw.
  try {
    parse_topology(text, "imported topology");
  } catch (const InputError& e) {
    std::vector<std::string> bug{files.front().source + ": " + kImportMadeInvalidTopology +
                                 " (an mpsim bug: please report it with the file); its problems:"};
    bug.insert(bug.end(), e.problems().begin(), e.problems().end());
    throw InputError(bug);
  }
  return text;
}

std::string import_nvmetcli(const std::string& json, const std::string& source_name,
                            const NvmetcliImportOptions& options) {
  return import_nvmetcli(std::vector<NvmetcliInput>{{json, source_name}}, options);
}

std::string import_nvmetcli_files(const std::vector<std::string>& paths, const NvmetcliImportOptions& options) {
  std::vector<NvmetcliInput> inputs;
  std::vector<std::string> problems;
  for (const std::string& path : paths) {
    try {
      inputs.push_back({read_file(path, limits::kMaxInputFileBytes), path});
    } catch (const FileError& e) {
      problems.push_back(e.what());
    }
  }
  if (!problems.empty()) throw InputError(problems);
  return import_nvmetcli(inputs, options);
}

std::string import_nvmetcli_file(const std::string& path, const NvmetcliImportOptions& options) {
  return import_nvmetcli_files({path}, options);
}

}  // namespace mpsim::topology
