// `mpsim validate`: runs scenarios on a real Linux kernel (nvmet + nvme-tcp + native multipath in
// a User-Mode-Linux guest), calibrates the simulator and compares the two side by side. The whole
// pipeline is validate::run (validate/pipeline.h); this file parses flags and maps errors to exit codes.
#include <spdlog/spdlog.h>

#include <iostream>
#include <memory>

#include "experiments/cli/commands.h"
#include "experiments/cli/guarded.h"
#include "topologies/textproto.h"
#include "validate/emulate_smoke.h"
#include "validate/pipeline.h"
#include "validate/three_way.h"

namespace mpsim::cli {
namespace {

int exit_code(validate::Verdict v) {
  switch (v) {
    case validate::Verdict::ok:
      return kExitOk;
    case validate::Verdict::check_failed:
      return kExitCheckFailed;
    case validate::Verdict::bad_input:
      return kExitBadInput;
  }
  return kExitCheckFailed;
}

int run_validate(const validate::ValidateOptions& options) {
  try {
    return run_guarded([&] { return exit_code(validate::run(options, std::cout)); });
  } catch (const validate::GuestPlanError& e) {
    spdlog::error("{}", e.what());
    return kExitBadInput;
  } catch (const validate::CalibrationError& e) {
    spdlog::error("{}", e.what());
    return options.calibration.empty() ? kExitCheckFailed : kExitBadInput;
  } catch (const validate::GuestRunError& e) {
    spdlog::error("{}", e.what());
    return kExitCheckFailed;
  } catch (const validate::GuestOutputError& e) {
    spdlog::error("calibration: {}", e.what());
    return kExitCheckFailed;
  }
}

}  // namespace

void add_validate_command(CLI::App& app, Action& action) {
  auto opt = std::make_shared<validate::ValidateOptions>();
  opt->source_dir = MPSIM_SOURCE_DIR;
  CLI::App* cmd = app.add_subcommand("validate", "Run scenarios on a real Linux kernel (UML guest: nvmet + nvme-tcp + multipath)");
  cmd->add_flag("--smoke", opt->smoke, "Build the guest if needed and run one short round-robin scenario over two paths");
  cmd->add_flag("--no-sim", opt->no_sim, "Only the real kernel: skip the simulator comparison (validation.json)");
  cmd->add_flag("--reuse-runs", opt->reuse_runs,
                "Boot nothing: compare the simulator with the real runs already in --results (and its calibration.json)");
  cmd->add_flag("--dry-run", opt->dry_run, "Only plan: write each scenario's guest init.sh and plan.txt, boot nothing");
  cmd->add_option("--results", opt->results, "Directory for per-scenario results (default: validate-results)");
  cmd->add_option("--calibration", opt->calibration,
                  "Reuse a saved <results>/calibration.json instead of running the four calibration runs");
  cmd->add_option("--timeout", opt->timeout_s, "Seconds allowed per guest boot (default: 300)")->check(CLI::PositiveNumber);
  cmd->add_option("--repeat", opt->repeat,
                  "Runs per scenario, each in its own guest boot, interleaved across the matrix (default: 3 for the whole "
                  "matrix, 1 for chosen files and the smoke)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--progress", opt->progress, "Show the progress line (boots done, ETA) also when stderr is not a terminal");
  cmd->add_option("scenarios", opt->scenarios, "Experiment files (default: every validate/scenarios/*.textproto)");
  auto emulate_smoke = std::make_shared<bool>(false);
  cmd->add_flag("--emulate-smoke", *emulate_smoke,
                "Run `mpsim emulate` in the guest: nvme connect to two ports, fio verify through an ANA flip");
  auto engines = std::make_shared<std::string>();
  cmd->add_option("--engines", *engines, validate::kEnginesHelp);
  auto html = std::make_shared<bool>(false);
  cmd->add_flag("--report", *html, "Also write <results>/report.html: real against simulated per scenario");
  cmd->callback([opt, emulate_smoke, engines, html, &action] {
    if (!engines->empty()) {
      action = [opt, engines] {
        try {
          return exit_code(validate::run_engines(*opt, validate::parse_engines(*engines), std::cout));
        } catch (const std::invalid_argument& e) {
          std::cerr << e.what() << "\n";
          return kExitBadInput;
        }
      };
      return;
    }
    if (*emulate_smoke) {
      action = [opt] {
        const bool ok = validate::run_emulate_smoke(opt->source_dir, opt->results + "/emulate-smoke", std::cout);
        return ok ? kExitOk : kExitCheckFailed;
      };
      return;
    }
    action = [opt, html] {
      const int code = run_validate(*opt);
      if (!*html || code == kExitBadInput || opt->no_sim || opt->dry_run || opt->smoke) return code;
      const int page = write_html_report(opt->results);
      return page == kExitOk ? code : page;
    };
  });
}

}  // namespace mpsim::cli
