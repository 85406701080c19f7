// `mpsim emulate FILE`: the live engine. Every target port of the experiment's fabric becomes an
// NVMe/TCP listener a real host can `nvme connect` to, and the experiment's faults happen at
// their times in wall-clock seconds from start. Runs until SIGINT/SIGTERM or --duration.
#include <iostream>
#include <memory>

#include "experiments/cli/commands.h"
#include "experiments/cli/guarded.h"
#include "experiments/experiment_loader.h"
#include "sim/live/emulator.h"
#include "topologies/textproto.h"
#include "topologies/units.h"

namespace mpsim::cli {
namespace {

namespace ex = mpsim::experiments;

struct EmulateOptions {
  std::string experiment;
  std::vector<std::string> overrides;
  std::string memory = "1GiB";
  live::EmulatorOptions emulator;
};

int emulate(EmulateOptions& opt) {
  ex::LoadedExperiment exp;
  const int loaded = run_guarded([&] {
    exp = ex::load_experiment_file(opt.experiment, ex::parse_overrides(opt.overrides));
    opt.emulator.memory_limit = topology::parse_size(opt.memory);
    return kExitOk;
  });
  if (loaded != kExitOk) return loaded;
  // The target side does not depend on the host's policy: the first planned run's scenario.
  const sim::Scenario& scenario = exp.runs.front().scenario;
  opt.emulator.handle_signals = true;
  std::unique_ptr<live::Emulator> emulator;
  try {
    emulator = std::make_unique<live::Emulator>(scenario, opt.emulator, std::cout);
  } catch (const std::invalid_argument& e) {
    std::cerr << opt.experiment << ": " << e.what() << "\n";
    return kExitBadInput;
  }
  try {
    emulator->start();
  } catch (const std::runtime_error& e) {
    std::cerr << e.what() << "\n";
    return kExitCheckFailed;
  }
  std::cout << "mpsim emulate: " << exp.name << ", namespace memory limit " << opt.memory
            << (opt.emulator.apply_models ? ", modelled service times applied" : "") << "\n";
  for (const live::ListenAddress& a : emulator->addresses()) {
    std::cout << "  " << a.port << " listening on " << a.address << ":" << a.trsvcid << "\n";
  }
  for (const auto& sub : scenario.topology.subsystems()) {
    const live::ListenAddress& a = emulator->addresses().front();
    std::cout << "  e.g. nvme connect -t tcp -a " << a.address << " -s " << a.trsvcid << " -n " << sub.nqn() << "\n";
  }
  std::cout.flush();
  const int errors = emulator->run();
  std::cout << "mpsim emulate: stopped; " << errors << " connection(s) closed for a protocol error\n";
  return kExitOk;
}

}  // namespace

void add_emulate_command(CLI::App& app, Action& action) {
  auto opt = std::make_shared<EmulateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "emulate", "Serve the experiment's fabric as a live NVMe/TCP target with its fault schedule in real time");
  cmd->add_option("experiment", opt->experiment, "Experiment file (.textproto)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--set", opt->overrides, "PATH=VALUE: change a field first")->allow_extra_args(false);
  cmd->add_flag("--real-addresses", opt->emulator.real_addresses,
                "Listen on each port's traddr as written (default: loopback 127.0.0.x addresses)");
  cmd->add_option("--memory", opt->memory, "Namespace data memory limit, all namespaces together (default 1GiB)");
  cmd->add_flag("--model-delay", opt->emulator.apply_models,
                "Delay each I/O by the models' target CPU and media service time");
  cmd->add_option("--duration", opt->emulator.duration_s, "Stop after this many seconds (default: until SIGINT)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--faults-after-signal", opt->emulator.faults_after_signal,
                "Start the fault schedule's clock at SIGUSR1 (e.g. when the workload starts), not at start");
  cmd->add_option("--events", opt->emulator.events_csv, "Write the events log (events.csv format, wall time) here");
  cmd->callback([opt, &action] { action = [opt] { return emulate(*opt); }; });
}

}  // namespace mpsim::cli
