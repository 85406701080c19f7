// `mpsim report RESULTS_DIR`: writes RESULTS_DIR/report.html from the files `mpsim run --out` wrote.
#include <spdlog/spdlog.h>

#include "experiments/cli/commands.h"
#include "experiments/interrupt.h"
#include "experiments/report_html.h"

namespace mpsim::cli {

int write_html_report(const std::string& results_dir) {
  try {
    experiments::interrupt::Commit commit;  // an interrupt waits: report.html is renamed in whole or not at all
    spdlog::info("wrote {}", experiments::write_report_html(results_dir));
    return kExitOk;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return kExitBadInput;
  }
}

void add_report_command(CLI::App& app, Action& action) {
  auto results_dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("report", "Write report.html (plots, fault table, ledger) for a results directory");
  cmd->add_option("results_dir", *results_dir, "The --out directory of `mpsim run`")->required();
  cmd->callback([results_dir, &action] {
    action = [results_dir] {
      experiments::interrupt::install([] { return std::string("report.html not written"); });
      return write_html_report(*results_dir);
    };
  });
}

}  // namespace mpsim::cli
