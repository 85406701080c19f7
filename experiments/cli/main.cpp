// mpsim: simulator and emulator of NVMe multipath fabrics. See README.md.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "experiments/cli/commands.h"

namespace {

void setup_logging(int verbosity, bool quiet) {
  // Logs go to stderr so stdout stays the result (tables, JSON) a user or script consumes.
  auto logger = spdlog::stderr_color_mt("mpsim");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%^%l%$: %v");
  if (quiet) {
    spdlog::set_level(spdlog::level::err);
  } else if (verbosity >= 2) {
    spdlog::set_level(spdlog::level::trace);
  } else if (verbosity == 1) {
    spdlog::set_level(spdlog::level::debug);
  } else {
    spdlog::set_level(spdlog::level::info);
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mpsim::cli;
  CLI::App app{"mpsim: simulate NVMe multipath fabrics, run production path policies, validate against Linux"};
  app.require_subcommand(1);
  int verbosity = 0;
  bool quiet = false;
  app.add_flag("-v,--verbose", verbosity, "More log output on stderr (-vv for trace)");
  app.add_flag("-q,--quiet", quiet, "Only errors on stderr");

  Action action;
  app.add_subcommand("version", "Print the mpsim version")->callback([&] {
    action = [] {
      std::cout << "mpsim " << MPSIM_VERSION << "\n";
      return kExitOk;
    };
  });
  for (Register add : {add_topo_command, add_run_command, add_validate_command, add_bench_command, add_report_command,
                        add_sweep_command, add_size_command, add_emulate_command, add_calibrate_command}) {
    add(app, action);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitBadInput;
  }
  setup_logging(verbosity, quiet);
  if (!action) return kExitBadInput;
  try {
    return action();
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return kExitBadInput;
  }
}
