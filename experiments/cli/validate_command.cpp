// `mpsim validate`: runs scenarios on a real Linux kernel (nvmet + nvme-tcp + native multipath in
// a User-Mode-Linux guest) and reports what it measured (validation-real.json per scenario).
// First it calibrates the simulator's models from four single-path runs (or reuses a saved
// calibration.json); then every scenario is simulated with them and compared side by side
// (validation.json per scenario, report.txt for the whole run).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "experiments/cli/commands.h"
#include "experiments/experiment_loader.h"
#include "sim/engine.h"
#include "topologies/textproto.h"
#include "validate/calibration_run.h"
#include "validate/compare.h"
#include "validate/guest_plan.h"
#include "validate/guest_runner.h"
#include "validate/guest_timeline.h"
#include "validate/report.h"

namespace mpsim::cli {
namespace {

namespace fs = std::filesystem;

struct ValidateArgs {
  bool smoke = false;
  bool dry_run = false;
  bool no_sim = false;
  bool reuse_runs = false;  // compare with the real runs already in `results`, boot nothing
  std::string results = "validate-results";
  std::string calibration;  // a saved calibration.json; empty = calibrate in the guest first
  int timeout_s = 300;
  std::vector<std::string> scenarios;
};

std::vector<std::string> default_matrix() {
  std::vector<std::string> files;
  fs::path dir = fs::path(MPSIM_SOURCE_DIR) / "validate/scenarios";
  if (fs::is_directory(dir)) {
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().extension() == ".textproto") files.push_back(e.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string split_text(const validate::RealRun& run) {
  std::string out;
  for (const auto& p : run.paths) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s%.0f%%", out.empty() ? "" : "/", p.share * 100.0);
    out += buf;
  }
  return out;
}

void print_header() {
  std::printf("%-34s %-12s %9s %8s %8s %8s %-10s %8s %6s %9s %10s\n", "scenario", "policy", "IOPS", "p50_us", "p99_us",
              "p99.9_us", "split", "stall_ms", "errors", "detect_ms", "restore_ms");
}

void print_row(const validate::RealRun& run) {
  std::int64_t detect = run.faults.empty() ? -1 : run.faults.front().time_to_detect_ms;
  std::int64_t restore = run.faults.empty() ? -1 : run.faults.front().time_to_restore_ms;
  std::printf("%-34s %-12s %9.0f %8.1f %8.1f %8.1f %-10s %8lld %6llu %9lld %10lld\n", run.scenario.c_str(), run.policy.c_str(),
              run.iops, run.p50_ns / 1000.0, run.p99_ns / 1000.0, run.p999_ns / 1000.0, split_text(run).c_str(),
              static_cast<long long>(run.stall_ms), static_cast<unsigned long long>(run.errors), static_cast<long long>(detect),
              static_cast<long long>(restore));
  std::fflush(stdout);
}

void write_file(const std::string& path, const std::string& text) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "w"), std::fclose);
  if (f) std::fputs(text.c_str(), f.get());
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw validate::CalibrationError(path + ": cannot read the calibration file");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The command as provenance for calibration.json: what reproduces this calibration.
std::string command_line(const ValidateArgs& args) {
  std::string cmd = "mpsim validate --results " + args.results;
  for (const auto& s : args.scenarios) cmd += " " + s;
  return cmd;
}

// Calibrated models for the simulator side, measured now in the guest or loaded from a file.
std::optional<validate::Calibration> obtain_calibration(const ValidateArgs& args, const std::string& kernel,
                                                        const validate::GuestOptions& options) {
  if (args.smoke || args.no_sim) return std::nullopt;
  if (args.reuse_runs) {  // the calibration those runs were compared with, unless another is given
    const std::string file = args.calibration.empty() ? (fs::path(args.results) / "calibration.json").string() : args.calibration;
    return validate::parse_calibration_json(read_file(file), file);
  }
  validate::Calibration c = args.calibration.empty()
                                ? validate::run_calibration(kernel, options, command_line(args))
                                : validate::parse_calibration_json(read_file(args.calibration), args.calibration);
  fs::create_directories(args.results);
  write_file((fs::path(args.results) / "calibration.json").string(), validate::calibration_json(c));
  return c;
}

// Runs the simulator on the scenario (with the calibrated models when given) and prints the
// side-by-side rows; the rows also go to <dir>/validation.json.
std::optional<validate::ScenarioComparison> compare_with_sim(sim::Scenario s, const validate::RealRun& real,
                                                             const std::string& dir,
                                                             const std::optional<validate::Calibration>& calibration) {
  if (calibration) validate::apply_calibration(calibration->fit, s);
  validate::match_guest_kernel(s);
  const validate::GuestTimeline timeline = validate::guest_timeline(real, s);
  validate::replay_guest_timeline(timeline, s);
  validate::ScenarioComparison c{s.name, real.policy, {}};
  try {
    sim::RunResult result = sim::run_scenario(s);
    validate::rebase_to_workload(timeline, result);
    c.rows = validate::compare_runs(real, result);
  } catch (const std::exception& e) {
    spdlog::error("scenario {}: the simulator could not run it: {}", s.name, e.what());
    return std::nullopt;
  }
  write_file(dir + "/validation.json", validate::comparison_json(s.name, c.rows));
  std::printf("%s", validate::format_scenario(c).c_str());
  std::fflush(stdout);
  return c;
}

// The smoke's claim: the guest ran, both paths carried I/O, fio saw no error, and the simulator
// chose the same paths (path choice does not depend on calibration, so the smoke skips it).
bool smoke_holds(sim::Scenario s, const validate::RealRun& run) {
  validate::match_guest_kernel(s);
  bool ok = run.iops > 0 && run.errors == 0 && run.paths.size() == 2;
  for (const auto& p : run.paths) {
    if (p.ios == 0) {
      spdlog::error("smoke: path {} carried no I/O", p.controller);
      ok = false;
    }
  }
  if (run.errors != 0) spdlog::error("smoke: fio reported {} errors", run.errors);
  if (run.iops <= 0) spdlog::error("smoke: no I/O completed");
  const std::string real = validate::real_path_choice(run);
  const std::string sim = validate::sim_path_choice(run, sim::run_scenario(s));
  std::printf("  path choice: real %s, sim %s: %s\n", real.c_str(), sim.c_str(), real == sim ? "PASS" : "FAIL");
  std::fflush(stdout);
  if (real != sim) spdlog::error("smoke: the simulator chose {} where the kernel chose {}", sim, real);
  return ok && real == sim;
}

// The QD16 calibration repeated after the matrix: how much the host moved under the run.
std::string drift_line(const validate::Calibration& c, const std::string& kernel, const validate::GuestOptions& options) {
  try {
    return validate::format_drift(c.runs.qd16_read.iops, validate::remeasure_qd16_read(kernel, options));
  } catch (const std::exception& e) {
    spdlog::warn("the closing QD16 calibration run failed: {}", e.what());
    return "host drift: not measured (the closing QD16 run failed)\n";
  }
}

std::vector<sim::Scenario> load_scenarios(const ValidateArgs& args) {
  std::vector<std::string> files = args.scenarios;
  if (args.smoke) files = {(fs::path(MPSIM_SOURCE_DIR) / "validate/guest/smoke.textproto").string()};
  if (files.empty()) files = default_matrix();
  // Every file is loaded and planned before the (slow) guest is touched: bad input fails fast.
  std::vector<sim::Scenario> scenarios;
  for (const auto& f : files) {
    auto runs = experiments::load_experiment_file(f).runs;
    for (auto& run : runs) {
      if (runs.size() > 1) run.scenario.name += "-" + run.label;  // one results directory per compared policy
      validate::plan_guest(run.scenario);
      scenarios.push_back(std::move(run.scenario));
    }
  }
  return scenarios;
}

int run_validate(const ValidateArgs& args) {
  std::vector<sim::Scenario> scenarios = load_scenarios(args);
  if (scenarios.empty()) {
    spdlog::error("no scenarios given and none under validate/scenarios/");
    return kExitBadInput;
  }
  validate::GuestOptions options{MPSIM_SOURCE_DIR, args.results, args.timeout_s};
  if (args.dry_run) {
    for (const auto& s : scenarios) std::printf("%s\n", validate::prepare_guest_run(s, options).dir.c_str());
    return kExitOk;
  }
  if (!args.calibration.empty()) {  // a bad file fails before any guest boots
    validate::parse_calibration_json(read_file(args.calibration), args.calibration);
  }
  std::string kernel = args.reuse_runs ? std::string() : validate::ensure_guest_kernel(options);
  if (!args.reuse_runs) spdlog::info("guest kernel: {}", kernel);
  std::optional<validate::Calibration> calibration = obtain_calibration(args, kernel, options);
  std::string report;
  if (calibration) {
    report = validate::format_calibration(*calibration) + "\n";
    std::printf("%s", report.c_str());
  }
  int failed = 0;
  std::vector<validate::ScenarioComparison> comparisons;
  print_header();
  for (const auto& s : scenarios) {
    try {
      validate::RealRun run =
          args.reuse_runs ? validate::read_guest_run(s, options) : validate::run_in_guest(s, kernel, options);
      print_row(run);
      if (args.smoke && !smoke_holds(s, run)) ++failed;
      if (args.smoke || args.no_sim) continue;
      std::string dir = (fs::absolute(args.results) / validate::results_subdir(s.name)).string();
      auto c = compare_with_sim(s, run, dir, calibration);
      if (!c) ++failed;
      if (c) comparisons.push_back(std::move(*c));
    } catch (const validate::GuestRunError& e) {
      spdlog::error("{}", e.what());
      ++failed;
    } catch (const validate::GuestOutputError& e) {
      spdlog::error("scenario {}: {}", s.name, e.what());
      ++failed;
    }
  }
  spdlog::info("{} of {} scenarios ran on the real kernel; results in {}", scenarios.size() - failed, scenarios.size(),
               fs::absolute(args.results).string());
  if (args.smoke || args.no_sim) return failed == 0 ? kExitOk : kExitCheckFailed;
  for (const auto& c : comparisons) report += validate::format_scenario(c) + "\n";
  std::string agreement = validate::format_agreement(comparisons);
  if (calibration && calibration->source == "measured") agreement += drift_line(*calibration, kernel, options);
  std::printf("\n%s", agreement.c_str());
  // Compared again: the report goes beside the first one, which keeps the measured drift line.
  write_file((fs::path(args.results) / (args.reuse_runs ? "report-reused.txt" : "report.txt")).string(), report + agreement);
  bool all_within = std::all_of(comparisons.begin(), comparisons.end(), [](const auto& c) {
    return std::all_of(c.rows.begin(), c.rows.end(), [](const auto& r) { return r.pass; });
  });
  return failed == 0 && all_within ? kExitOk : kExitCheckFailed;
}

}  // namespace

void add_validate_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<ValidateArgs>();
  CLI::App* cmd = app.add_subcommand("validate", "Run scenarios on a real Linux kernel (UML guest: nvmet + nvme-tcp + multipath)");
  cmd->add_flag("--smoke", args->smoke, "Build the guest if needed and run one short round-robin scenario over two paths");
  cmd->add_flag("--no-sim", args->no_sim, "Only the real kernel: skip the simulator comparison (validation.json)");
  cmd->add_flag("--reuse-runs", args->reuse_runs,
                "Boot nothing: compare the simulator with the real runs already in --results (and its calibration.json)");
  cmd->add_flag("--dry-run", args->dry_run, "Only plan: write each scenario's guest init.sh and plan.txt, boot nothing");
  cmd->add_option("--results", args->results, "Directory for per-scenario results (default: validate-results)");
  cmd->add_option("--calibration", args->calibration,
                  "Reuse a saved <results>/calibration.json instead of running the four calibration runs");
  cmd->add_option("--timeout", args->timeout_s, "Seconds allowed per guest boot (default: 300)")->check(CLI::PositiveNumber);
  cmd->add_option("scenarios", args->scenarios, "Experiment files (default: every validate/scenarios/*.textproto)");
  cmd->callback([args, &action] {
    action = [args] {
      try {
        return run_validate(*args);
      } catch (const topology::InputError& e) {
        std::cerr << e.what() << "\n";
        return kExitBadInput;
      } catch (const validate::GuestPlanError& e) {
        spdlog::error("{}", e.what());
        return kExitBadInput;
      } catch (const validate::CalibrationError& e) {
        spdlog::error("{}", e.what());
        return args->calibration.empty() ? kExitCheckFailed : kExitBadInput;
      } catch (const validate::GuestRunError& e) {
        spdlog::error("{}", e.what());
        return kExitCheckFailed;
      } catch (const validate::GuestOutputError& e) {
        spdlog::error("calibration: {}", e.what());
        return kExitCheckFailed;
      }
    };
  });
}

}  // namespace mpsim::cli
