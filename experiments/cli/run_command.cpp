// Placeholder: the owning issue replaces this file.
#include "experiments/cli/commands.h"

namespace mpsim::cli {
void add_run_command(CLI::App& app, Action& action) {
  app.add_subcommand("run", "(not built yet)")->callback([&] { action = [] { return kExitBadInput; }; });
}
}  // namespace mpsim::cli
