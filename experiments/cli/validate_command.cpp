// `mpsim validate`: runs scenarios on a real Linux kernel (nvmet + nvme-tcp + native multipath in
// a User-Mode-Linux guest) and reports what it measured (validation-real.json per scenario), then
// runs the simulator on the same scenario and lists the measures outside tolerance
// (validation.json). No calibration yet: absolute figures are the simulator's defaults.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "experiments/cli/commands.h"
#include "experiments/experiment_loader.h"
#include "sim/engine.h"
#include "topologies/textproto.h"
#include "validate/compare.h"
#include "validate/guest_plan.h"
#include "validate/guest_runner.h"

namespace mpsim::cli {
namespace {

namespace fs = std::filesystem;

struct ValidateArgs {
  bool smoke = false;
  bool dry_run = false;
  bool no_sim = false;
  std::string results = "validate-results";
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

// Runs the simulator on the same scenario and prints the rows outside tolerance; true if none.
bool compare_with_sim(const sim::Scenario& s, const validate::RealRun& real, const std::string& dir) {
  std::vector<validate::CompareRow> rows;
  try {
    rows = validate::compare_runs(real, sim::run_scenario(s));
  } catch (const std::exception& e) {
    spdlog::error("scenario {}: the simulator could not run it: {}", s.name, e.what());
    return false;
  }
  write_file(dir + "/validation.json", validate::comparison_json(s.name, rows));
  std::size_t passed = 0;
  std::string failing;
  for (const auto& r : rows) {
    if (r.pass) {
      ++passed;
      continue;
    }
    char buf[160];
    std::snprintf(buf, sizeof buf, " %s real %.1f sim %.1f (%s);", r.measure.c_str(), r.real, r.sim, r.tolerance.c_str());
    failing += buf;
  }
  std::printf("  vs sim: %zu/%zu rows within tolerance%s%s\n", passed, rows.size(), failing.empty() ? "" : "; outside:", failing.c_str());
  std::fflush(stdout);
  return passed == rows.size();
}

// The smoke's claim: the guest ran, both paths carried I/O, and fio saw no error.
bool smoke_holds(const validate::RealRun& run) {
  bool ok = run.iops > 0 && run.errors == 0 && run.paths.size() == 2;
  for (const auto& p : run.paths) {
    if (p.ios == 0) {
      spdlog::error("smoke: path {} carried no I/O", p.controller);
      ok = false;
    }
  }
  if (run.errors != 0) spdlog::error("smoke: fio reported {} errors", run.errors);
  if (run.iops <= 0) spdlog::error("smoke: no I/O completed");
  return ok;
}

int run_validate(const ValidateArgs& args) {
  std::vector<std::string> files = args.scenarios;
  if (args.smoke) files = {(fs::path(MPSIM_SOURCE_DIR) / "validate/guest/smoke.textproto").string()};
  if (files.empty()) files = default_matrix();
  if (files.empty()) {
    spdlog::error("no scenarios given and none under validate/scenarios/");
    return kExitBadInput;
  }
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
  validate::GuestOptions options{MPSIM_SOURCE_DIR, args.results, args.timeout_s};
  if (args.dry_run) {
    for (const auto& s : scenarios) std::printf("%s\n", validate::prepare_guest_run(s, options).dir.c_str());
    return kExitOk;
  }
  std::string kernel = validate::ensure_guest_kernel(options);
  spdlog::info("guest kernel: {}", kernel);
  int failed = 0, compare_failed = 0;
  print_header();
  for (const auto& s : scenarios) {
    try {
      validate::RealRun run = validate::run_in_guest(s, kernel, options);
      print_row(run);
      if (args.smoke && !smoke_holds(run)) ++failed;
      std::string dir = (fs::absolute(args.results) / validate::results_subdir(s.name)).string();
      if (!args.smoke && !args.no_sim && !compare_with_sim(s, run, dir)) ++compare_failed;
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
  if (!args.smoke && !args.no_sim) {
    spdlog::info("{} of {} scenarios agree with the simulator within every tolerance (uncalibrated)",
                 scenarios.size() - failed - compare_failed, scenarios.size());
  }
  return failed == 0 && compare_failed == 0 ? kExitOk : kExitCheckFailed;
}

}  // namespace

void add_validate_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<ValidateArgs>();
  CLI::App* cmd = app.add_subcommand("validate", "Run scenarios on a real Linux kernel (UML guest: nvmet + nvme-tcp + multipath)");
  cmd->add_flag("--smoke", args->smoke, "Build the guest if needed and run one short round-robin scenario over two paths");
  cmd->add_flag("--no-sim", args->no_sim, "Only the real kernel: skip the simulator comparison (validation.json)");
  cmd->add_flag("--dry-run", args->dry_run, "Only plan: write each scenario's guest init.sh and plan.txt, boot nothing");
  cmd->add_option("--results", args->results, "Directory for per-scenario results (default: validate-results)");
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
      } catch (const validate::GuestRunError& e) {
        spdlog::error("{}", e.what());
        return kExitCheckFailed;
      }
    };
  });
}

}  // namespace mpsim::cli
