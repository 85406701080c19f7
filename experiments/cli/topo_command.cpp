// Placeholder: the owning issue replaces this file.
#include "experiments/cli/commands.h"

namespace mpsim::cli {
void add_topo_command(CLI::App& app, Action& action) {
  app.add_subcommand("topo", "(not built yet)")->callback([&] { action = [] { return kExitBadInput; }; });
}
}  // namespace mpsim::cli
