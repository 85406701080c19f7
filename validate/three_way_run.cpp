// `mpsim validate --engines`: boots the guest once per scenario and real engine (nvmet, then the
// emulator), simulates each run's timeline and prints the engines side by side (three_way.h).
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <sys/wait.h>

#include "experiments/experiment_loader.h"
#include "topologies/file_io.h"
#include "topologies/textproto.h"
#include "validate/guest_script.h"
#include "validate/three_way.h"

namespace mpsim::validate {
namespace {

namespace fs = std::filesystem;

struct EngineScenario {
  std::string file;  // absolute: the emulator loads it in the guest
  sim::Scenario scenario;
};

std::vector<EngineScenario> load_engine_scenarios(const std::vector<std::string>& files) {
  std::vector<EngineScenario> out;
  for (const std::string& f : files) {
    for (sim::Scenario& s : load_scenarios({f})) out.push_back({fs::absolute(f).string(), std::move(s)});
  }
  return out;
}

void boot(const PreparedRun& prepared, const std::string& kernel, const GuestOptions& options) {
  const fs::path dir(prepared.dir);
  std::string command = "MPSIM_GUEST_TIMEOUT=" + std::to_string(options.timeout_s) + " MPSIM_GUEST_MEM=" +
                        shell_quote(options.memory) + " bash " +
                        shell_quote((fs::absolute(options.source_dir) / "validate/guest/boot.sh").string()) + " " +
                        shell_quote(kernel) + " " + shell_quote((dir / "init.sh").string()) + " " + shell_quote(dir.string());
  for (const auto& arg : prepared.plan.kernel_args()) command += " " + shell_quote(arg);
  const int raw = std::system((command + " >&2").c_str());
  if (raw == -1 || !WIFEXITED(raw) || WEXITSTATUS(raw) != 0) {
    throw GuestRunError("scenario " + prepared.plan.name + ": the guest run failed (see " + dir.string() + "/console.log)");
  }
}

// The scenario's init with lib-emulate.sh sourced after lib.sh: `mpsim emulate` replaces nvmet.
RealRun run_emulator_in_guest(const EngineScenario& e, const std::string& kernel, const GuestOptions& options) {
  const PreparedRun prepared = prepare_guest_run(e.scenario, options);
  const fs::path dir(prepared.dir);
  std::string init = topology::read_file(dir / "init.sh");
  const std::string main_call = "scn_main\n";
  if (init.size() < main_call.size() || init.compare(init.size() - main_call.size(), main_call.size(), main_call) != 0) {
    throw GuestRunError(dir.string() + "/init.sh: does not end with scn_main (validate/guest_script.cpp changed?)");
  }
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  const std::string lib = (fs::absolute(options.source_dir) / "validate/emulate/lib-emulate.sh").string();
  init.insert(init.size() - main_call.size(), "EMU_BIN=" + shell_quote(self) + "\nEMU_EXPERIMENT=" + shell_quote(e.file) +
                                                  "\n. " + shell_quote(lib) + "\n");
  topology::write_file_atomic(dir / "init.sh", init);
  topology::write_file_atomic(dir / "plan.txt", topology::read_file(dir / "plan.txt") +
                                                    "engine emulator: mpsim emulate " + e.file +
                                                    " on loopback, its own fault schedule from the first I/O\n");
  spdlog::info("guest (emulator): {}", e.scenario.name);
  boot(prepared, kernel, options);
  const std::string guest_faults = topology::read_file(dir / "faults.csv");
  const fs::path events = dir / "emulator-events.csv";
  if (!fs::exists(events)) throw GuestOutputError(dir.string() + ": no emulator-events.csv (see emulator.log)");
  topology::write_file_atomic(dir / "faults-guest.csv", guest_faults);
  std::optional<std::int64_t> t0_us;
  if (fs::exists(dir / "t0_us")) {
    try {
      t0_us = std::stoll(topology::read_file(dir / "t0_us"));
    } catch (const std::exception&) {
      throw GuestOutputError(dir.string() + "/t0_us: not a number");
    }
  }
  topology::write_file_atomic(dir / "faults.csv",
                              merge_emulator_faults(guest_faults, topology::read_file(events), dir.string(), t0_us));
  RealRun run = analyse_guest_results(e.scenario, prepared.plan, dir.string());
  topology::write_file_atomic(dir / "validation-real.json", real_run_json(run));
  return run;
}

std::optional<ScenarioComparison> simulate(const sim::Scenario& s, const std::optional<RealRun>& real,
                                           const std::optional<Calibration>& calibration) {
  if (!real) return std::nullopt;
  try {
    return compare_with_sim(s, *real, calibration);
  } catch (const std::exception& ex) {
    spdlog::error("scenario {}: the simulator could not run it: {}", s.name, ex.what());
    return std::nullopt;
  }
}

template <typename Run>
std::optional<RealRun> attempt(const char* engine, const sim::Scenario& s, Run run, int& failed) {
  try {
    return run();
  } catch (const std::exception& ex) {  // GuestRunError, GuestOutputError, file errors
    spdlog::error("scenario {} ({}): {}", s.name, engine, ex.what());
    ++failed;
    return std::nullopt;
  }
}

// The emulator stands in for nvmet when a real host behaves the same against both.
bool engines_agree(const std::vector<EngineRow>& rows) {
  for (const auto& r : rows) {
    if (r.measure == "iops" || r.measure.rfind("share ", 0) == 0) continue;  // the hosts' speed, not the target's choices
    if (r.emulator_vs_nvmet && !*r.emulator_vs_nvmet) return false;
  }
  return true;
}

}  // namespace

Verdict run_engines(const ValidateOptions& options, const EngineSet& engines, std::ostream& out) {
  if (options.smoke || options.dry_run || options.reuse_runs || options.no_sim) {
    spdlog::error("--engines runs its own guests and simulator: it does not combine with --smoke, --dry-run, "
                  "--reuse-runs or --no-sim (leave sim out of --engines instead)");
    return Verdict::bad_input;
  }
  std::vector<EngineScenario> scenarios;
  std::optional<Calibration> calibration;
  try {
    scenarios = load_engine_scenarios(options.scenarios.empty() ? default_engine_scenarios(options.source_dir)
                                                                : options.scenarios);
    if (!options.calibration.empty()) {
      calibration = parse_calibration_json(topology::read_file(options.calibration), options.calibration);
    }
  } catch (const topology::InputError& e) {
    for (const std::string& p : e.problems()) std::cerr << p << "\n";
    return Verdict::bad_input;
  } catch (const std::exception& e) {  // GuestPlanError, CalibrationError, FileError
    spdlog::error("{}", e.what());
    return Verdict::bad_input;
  }
  const GuestOptions nvmet{options.source_dir, (fs::path(options.results) / "nvmet").string(), options.timeout_s};
  const GuestOptions emulator{options.source_dir, (fs::path(options.results) / "emulator").string(), options.timeout_s};
  std::string kernel;
  try {
    kernel = ensure_guest_kernel(nvmet);
  } catch (const GuestRunError& e) {
    spdlog::error("{}", e.what());
    return Verdict::check_failed;
  }
  int failed = 0;
  bool agree = true;
  std::string report;
  std::vector<std::vector<EngineRow>> all;
  for (const EngineScenario& e : scenarios) {
    const sim::Scenario& s = e.scenario;
    std::optional<RealRun> nv, em;
    if (engines.nvmet) nv = attempt("nvmet", s, [&] { return run_in_guest(s, kernel, nvmet); }, failed);
    if (engines.emulator) em = attempt("emulator", s, [&] { return run_emulator_in_guest(e, kernel, emulator); }, failed);
    if (nv) out << "nvmet    " << format_real_row(*nv) << std::flush;
    if (em) out << "emulator " << format_real_row(*em) << std::flush;
    // The rows come from the simulator's comparisons; without the sim engine its column is dropped.
    auto cn = simulate(s, nv, calibration), ce = simulate(s, em, calibration);
    if ((nv && !cn) || (em && !ce)) ++failed;
    std::vector<EngineRow> rows = engine_rows(cn, ce);
    if (!engines.sim) {
      for (auto& r : rows) {
        r.sim.clear();
        r.nvmet_vs_sim.reset();
        r.emulator_vs_sim.reset();
      }
    }
    agree = agree && engines_agree(rows);
    const std::string text = format_engine_rows(s.name, nv ? nv->policy : em ? em->policy : "", rows);
    out << text << std::flush;
    report += text + "\n";
    all.push_back(std::move(rows));
  }
  const std::string agreement = format_engine_agreement(all);
  out << "\n" << agreement << std::flush;
  fs::create_directories(options.results);
  topology::write_file_atomic(fs::path(options.results) / "three-way.txt", report + agreement);
  spdlog::info("{} engine run(s) failed; results in {}", failed, fs::absolute(options.results).string());
  return failed == 0 && agree ? Verdict::ok : Verdict::check_failed;
}

}  // namespace mpsim::validate
