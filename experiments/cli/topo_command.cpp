// `mpsim topo`: check fabric descriptions, list their paths, import nvmetcli configurations.
//
//   mpsim topo check FILE... [--json]    validate + structural analysis; exit 1 if a check fails
//   mpsim topo paths FILE [--json]       every path: route, latency, bottleneck, ANA state
//   mpsim topo import --nvmetcli CONFIG.json [CONFIG2.json...] [-o FILE] [--media M] [--ns-size S] [--host-cpus N] ...
//   mpsim topo gen leaf-spine|dual-fabric --PARAM VALUE ...   (topo_gen_command.cpp)
//
// Every input is loaded and validated before anything is printed, so a bad file gives its
// errors on stderr, exit code 2 and nothing on stdout.
#include <iostream>
#include <memory>
#include <vector>

#include "experiments/cli/commands.h"
#include "experiments/cli/guarded.h"
#include "topologies/analysis.h"
#include "topologies/file_io.h"
#include "topologies/nvmetcli.h"
#include "topologies/report.h"
#include "topologies/topology.h"

namespace mpsim::cli {

namespace {

namespace topo = mpsim::topology;

struct Loaded {
  std::string file;
  topo::Topology topology;
};

// Loads every file; reports all their problems together. Returns false if any is bad.
bool load_all(const std::vector<std::string>& files, std::vector<Loaded>& out) {
  bool ok = true;
  for (const std::string& file : files) {
    try {
      out.push_back({file, topo::load_topology_file(file)});
    } catch (const topo::InputError& e) {
      std::cerr << e.what() << "\n";
      ok = false;
    }
  }
  return ok;
}

int run_check(const std::vector<std::string>& files, bool json) {
  std::vector<Loaded> loaded;
  if (!load_all(files, loaded)) return kExitBadInput;
  bool ok = true;
  std::string out;
  for (const Loaded& l : loaded) {
    topo::Analysis analysis = topo::analyze(l.topology);
    ok = ok && analysis.ok();
    if (!out.empty() && !json) out += "\n";
    out += json ? topo::check_json(l.file, l.topology, analysis) : topo::check_table(l.file, l.topology, analysis);
  }
  std::cout << out;
  return ok ? kExitOk : kExitCheckFailed;
}

int run_paths(const std::string& file, bool json) {
  std::vector<Loaded> loaded;
  if (!load_all({file}, loaded)) return kExitBadInput;
  const Loaded& l = loaded.front();
  topo::Analysis analysis = topo::analyze(l.topology);
  std::cout << (json ? topo::paths_json(l.file, l.topology, analysis) : topo::paths_table(l.file, l.topology, analysis));
  return kExitOk;
}

int run_import(const std::vector<std::string>& configs, const std::string& output,
               const topo::NvmetcliImportOptions& options) {
  std::string text;
  const int imported = run_guarded([&] {
    text = topo::import_nvmetcli_files(configs, options);
    return kExitOk;
  });
  if (imported != kExitOk) return imported;
  if (output.empty() || output == "-") {
    std::cout << text;
    return kExitOk;
  }
  try {
    topo::write_file_atomic(output, text);  // a failure never leaves half a file behind
  } catch (const topo::FileError& e) {
    std::cerr << e.what() << "\n";
    return kExitBadInput;
  }
  return kExitOk;
}

struct TopoArgs {
  std::vector<std::string> check_files;
  std::string paths_file;
  bool json = false;
  std::vector<std::string> nvmetcli;
  std::string output;
  topo::NvmetcliImportOptions import;
};

}  // namespace

void add_topo_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<TopoArgs>();
  CLI::App* cmd = app.add_subcommand("topo", "Check fabric descriptions, list their paths, import nvmetcli configs");
  cmd->require_subcommand(1);

  CLI::App* check = cmd->add_subcommand("check", "Validate fabrics and report paths and single points of failure");
  check->add_option("files", args->check_files, "Topology .textproto files")->required();
  check->add_flag("--json", args->json, "Machine-readable output");
  check->callback([&action, args] { action = [args] { return run_check(args->check_files, args->json); }; });

  CLI::App* paths = cmd->add_subcommand("paths", "List every host/namespace path with its route and ANA state");
  paths->add_option("file", args->paths_file, "Topology .textproto file")->required();
  paths->add_flag("--json", args->json, "Machine-readable output");
  paths->callback([&action, args] { action = [args] { return run_paths(args->paths_file, args->json); }; });

  CLI::App* import = cmd->add_subcommand("import", "Convert an nvmetcli save file (config.json) to a topology");
  import->add_option("--nvmetcli", args->nvmetcli, "nvmetcli save file(s), e.g. /etc/nvmet/config.json; several make one fabric")
      ->required();
  import->add_option("-o,--output", args->output, "Output .textproto (default: stdout)");
  import->add_option("--media", args->import.media, "Media model of every namespace")->capture_default_str();
  import->add_option("--ns-size", args->import.ns_size, "Size of every namespace (nvmetcli does not record it)")
      ->capture_default_str();
  import->add_option("--host-cpus", args->import.host_cpus, "CPUs of the generated host")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  import->add_option("--host-nic-speed", args->import.nic_speed, "Speed of the generated host's NIC")
      ->capture_default_str();
  import->add_option("--target-cpus", args->import.target_cpus, "CPUs of the target node")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  import->add_option("--port-speed", args->import.port_speed, "Speed of every target port")->capture_default_str();
  import->callback([&action, args] {
    action = [args] { return run_import(args->nvmetcli, args->output, args->import); };
  });
  add_topo_gen_command(*cmd, action);
}

}  // namespace mpsim::cli
