// Placeholder: the owning issue replaces this file.
#include "experiments/cli/commands.h"

namespace mpsim::cli {
void add_validate_command(CLI::App& app, Action& action) {
  app.add_subcommand("validate", "(not built yet)")->callback([&] { action = [] { return kExitBadInput; }; });
}
}  // namespace mpsim::cli
