// The mpsim command line: main.cpp builds the CLI11 app and each subcommand file adds itself.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace mpsim::cli {

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitCheckFailed = 1;  // the run worked and found a problem
inline constexpr int kExitBadInput = 2;     // bad file, flag or usage (a foreign --out directory too)
inline constexpr int kExitNotWritten = 3;   // the results could not be written (disk full...): the previous output is kept
// Interrupted by a signal: 128 + its number (130 SIGINT, 143 SIGTERM), from experiments/interrupt.h.

// A subcommand registers its options on `app` and returns the action to run if it was chosen.
using Action = std::function<int()>;
using Register = void (*)(CLI::App& app, Action& action);

void add_topo_command(CLI::App& app, Action& action);
void add_run_command(CLI::App& app, Action& action);
void add_validate_command(CLI::App& app, Action& action);
void add_bench_command(CLI::App& app, Action& action);
void add_report_command(CLI::App& app, Action& action);
// Writes DIR/report.html (logs its path); errors are logged and give kExitBadInput.
int write_html_report(const std::string& results_dir);
void add_sweep_command(CLI::App& app, Action& action);
void add_size_command(CLI::App& app, Action& action);
void add_emulate_command(CLI::App& app, Action& action);
void add_calibrate_command(CLI::App& app, Action& action);
// `mpsim topo gen`, added under `topo` by add_topo_command.
void add_topo_gen_command(CLI::App& topo_cmd, Action& action);

}  // namespace mpsim::cli
