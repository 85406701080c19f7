#include "validate/pipeline.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

#include "experiments/experiment_loader.h"
#include "sim/engine.h"
#include "topologies/file_io.h"
#include "validate/calibration_run.h"
#include "validate/compare.h"
#include "validate/guest_plan.h"
#include "validate/guest_timeline.h"
#include "validate/bands.h"
#include "validate/boot_probe.h"
#include "validate/real_run_matrix.h"

namespace mpsim::validate {
namespace {

namespace fs = std::filesystem;

template <typename... Args>
std::string printf_text(const char* format, Args... args) {
  int n = std::snprintf(nullptr, 0, format, args...);
  std::string text(static_cast<std::size_t>(n) + 1, '\0');
  std::snprintf(text.data(), text.size(), format, args...);
  text.pop_back();
  return text;
}

std::vector<std::string> default_matrix(const std::string& source_dir) {
  std::vector<std::string> files;
  fs::path dir = fs::path(source_dir) / "validate/scenarios";
  if (fs::is_directory(dir)) {
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().extension() == ".textproto") files.push_back(e.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string split_text(const RealRun& run) {
  std::string out;
  for (const auto& p : run.paths) out += printf_text("%s%.0f%%", out.empty() ? "" : "/", p.share * 100.0);
  return out;
}

// A calibration file the user named (or the one beside reused runs): unreadable is bad input.
Calibration read_calibration(const std::string& file) {
  try {
    return parse_calibration_json(topology::read_file(file), file);
  } catch (const topology::FileError& e) {
    throw CalibrationError(std::string(e.what()) + " (the calibration file)");
  }
}

// The command as provenance for calibration.json: what reproduces this calibration.
std::string command_line(const ValidateOptions& options) {
  std::string cmd = "mpsim validate --results " + options.results;
  for (const auto& s : options.scenarios) cmd += " " + s;
  return cmd;
}

// Calibrated models for the simulator side, measured now in the guest or loaded from a file.
std::optional<Calibration> obtain_calibration(const ValidateOptions& options, const std::string& kernel,
                                              const GuestOptions& guest) {
  if (options.smoke || options.no_sim) return std::nullopt;
  if (options.reuse_runs) {  // the calibration those runs were compared with, unless another is given
    return read_calibration(options.calibration.empty() ? (fs::path(options.results) / "calibration.json").string()
                                                        : options.calibration);
  }
  const fs::path saved = fs::path(options.results) / "calibration.json";
  if (options.calibration.empty() && fs::exists(saved)) {  // a resumed run keeps the calibration it started with
    spdlog::info("resuming: calibration from {}", saved.string());
    return read_calibration(saved.string());
  }
  Calibration c = options.calibration.empty() ? run_calibration(kernel, guest, command_line(options))
                                              : read_calibration(options.calibration);
  fs::create_directories(options.results);
  topology::write_file_atomic(fs::path(options.results) / "calibration.json", calibration_json(c));
  return c;
}

// The QD16 calibration repeated after the matrix: how much the host moved under the run.
std::string drift_line(const Calibration& c, const std::string& kernel, const GuestOptions& guest) {
  try {
    return format_drift(c.runs.qd16_read.iops, remeasure_qd16_read(kernel, guest));
  } catch (const std::exception& e) {
    spdlog::warn("the closing QD16 calibration run failed: {}", e.what());
    return "host drift: not measured (the closing QD16 run failed)\n";
  }
}

// The calibration for one run: its boot's own speed when the boot ran the probe (boot_probe.h),
// else the run's calibration as measured at the start. A probe the fit refuses (no tail) is
// left out, said once per run. Then the CPU the guest's own fault actions took (calibration.h
// kActionPausedShare) as more pauses.
std::optional<Calibration> calibration_for_run(const std::optional<Calibration>& calibration, const std::string& source_dir,
                                               const std::string& dir, const sim::Scenario& s, const RealRun& real,
                                               BootProbeCount& probes) {
  ++probes.runs;
  if (!calibration) return calibration;
  Calibration run = *calibration;
  if (const std::optional<CalibrationFigures> probe = read_boot_probe(source_dir, dir)) {
    try {
      run.fit = fit_for_boot(calibration->fit, *probe);
      ++probes.used;
    } catch (const CalibrationError& e) {
      spdlog::warn("{}: boot probe not used: {}", dir, e.what());
    }
  }
  const ActionWindows actions = action_windows(real, s);
  if (actions.total_ms > 0) {
    run.fit = with_extra_pauses(run.fit, kActionPausedShare * double(actions.total_ms) / double(actions.workload_ms),
                                kActionPauseMeanUs);
    ++probes.action_runs;
    probes.action_pause_ms += kActionPausedShare * double(actions.total_ms);
  }
  return run;
}

// Simulates each repetition of one scenario with its own timeline, writes each one's rows to
// rep-<k>/validation.json and the rows merged over the repetitions (validate/bands.h) to
// <scenario>/validation.json and `out`. Empty when the simulator could not run it (logged).
// `per_repetition` gets the rows per repetition (empty where a repetition has no run).
std::optional<ScenarioComparison> compare_and_report(const sim::Scenario& s, const std::vector<std::optional<RealRun>>& runs,
                                                     GuestOptions guest, const std::optional<Calibration>& calibration,
                                                     std::vector<std::vector<CompareRow>>& per_repetition, BootProbeCount& probes,
                                                     std::ostream& out) {
  per_repetition.assign(runs.size(), {});
  std::vector<std::vector<CompareRow>> present;
  std::string policy;
  for (std::size_t k = 0; k < runs.size(); ++k) {
    if (!runs[k]) continue;
    guest.repetition = static_cast<int>(k + 1);
    try {
      // A run of the layout before repetitions has no rep-1/: its rows are the merged ones below.
      const fs::path dir = run_dir(guest, s.name);
      ScenarioComparison c = compare_with_sim(s, *runs[k], calibration_for_run(calibration, guest.source_dir, dir.string(), s, *runs[k], probes));
      policy = c.policy;
      if (fs::is_directory(dir)) topology::write_file_atomic(dir / "validation.json", comparison_json(s.name, c.rows));
      per_repetition[k] = c.rows;
      present.push_back(std::move(c.rows));
    } catch (const std::exception& e) {
      spdlog::error("scenario {} repetition {}: the simulator could not run it: {}", s.name, k + 1, e.what());
      return std::nullopt;
    }
  }
  if (present.empty()) return std::nullopt;
  ScenarioComparison merged{s.name, policy, band_rows(present)};
  guest.repetition = 0;
  topology::write_file_atomic(fs::path(run_dir(guest, s.name)) / "validation.json", comparison_json(s.name, merged.rows));
  out << format_scenario(merged) << std::flush;
  return merged;
}

// The scenarios in the order each repetition round runs them (validate/ratios.h run_order).
std::vector<sim::Scenario> in_run_order(const std::vector<sim::Scenario>& scenarios, const std::vector<RatioGroup>& groups) {
  std::vector<std::string> names;
  for (const auto& s : scenarios) names.push_back(s.name);
  std::vector<sim::Scenario> ordered;
  for (const auto& name : run_order(names, groups)) {
    ordered.push_back(*std::find_if(scenarios.begin(), scenarios.end(), [&](const auto& s) { return s.name == name; }));
  }
  return ordered;
}

bool all_within(const std::vector<ScenarioComparison>& comparisons) {
  return std::all_of(comparisons.begin(), comparisons.end(), [](const auto& c) {
    return std::all_of(c.rows.begin(), c.rows.end(), [](const auto& r) { return r.pass; });
  });
}

}  // namespace

std::string format_real_header() {
  return printf_text("%-34s %-12s %9s %8s %8s %8s %-10s %8s %6s %9s %10s\n", "scenario", "policy", "IOPS", "p50_us",
                     "p99_us", "p99.9_us", "split", "stall_ms", "errors", "detect_ms", "restore_ms");
}

std::string format_real_row(const RealRun& run) {
  long long detect = run.faults.empty() ? -1 : run.faults.front().time_to_detect_ms;
  long long restore = run.faults.empty() ? -1 : run.faults.front().time_to_restore_ms;
  return printf_text("%-34s %-12s %9.0f %8.1f %8.1f %8.1f %-10s %8lld %6llu %9lld %10lld\n", run.scenario.c_str(),
                     run.policy.c_str(), run.iops, run.p50_ns / 1000.0, run.p99_ns / 1000.0, run.p999_ns / 1000.0,
                     split_text(run).c_str(), static_cast<long long>(run.stall_ms),
                     static_cast<unsigned long long>(run.errors), detect, restore);
}

std::vector<sim::Scenario> load_scenarios(const std::vector<std::string>& files) {
  std::vector<sim::Scenario> scenarios;
  for (const auto& f : files) {
    auto runs = experiments::load_experiment_file(f).runs;
    for (auto& run : runs) {
      if (runs.size() > 1) run.scenario.name += "-" + run.label;  // one results directory per compared policy
      plan_guest(run.scenario);
      scenarios.push_back(std::move(run.scenario));
    }
  }
  return scenarios;
}

ScenarioComparison compare_with_sim(sim::Scenario s, const RealRun& real, const std::optional<Calibration>& calibration) {
  if (calibration) apply_calibration(calibration->fit, s);
  match_guest_kernel(s);
  const GuestTimeline timeline = guest_timeline(real, s);
  replay_guest_timeline(timeline, s);
  ScenarioComparison c{s.name, real.policy, {}};
  sim::RunResult result = sim::run_scenario(s);
  rebase_to_workload(timeline, result);
  c.rows = compare_runs(real, result);
  return c;
}

bool smoke_holds(sim::Scenario s, const RealRun& run, std::ostream& out) {
  match_guest_kernel(s);
  bool ok = run.iops > 0 && run.errors == 0 && run.paths.size() == 2;
  for (const auto& p : run.paths) {
    if (p.ios == 0) {
      spdlog::error("smoke: path {} carried no I/O", p.controller);
      ok = false;
    }
  }
  if (run.errors != 0) spdlog::error("smoke: fio reported {} errors", run.errors);
  if (run.iops <= 0) spdlog::error("smoke: no I/O completed");
  const std::string real = real_path_choice(run);
  const std::string sim = sim_path_choice(run, sim::run_scenario(s));
  out << "  path choice: real " << real << ", sim " << sim << ": " << (real == sim ? "PASS" : "FAIL") << "\n"
      << std::flush;
  if (real != sim) spdlog::error("smoke: the simulator chose {} where the kernel chose {}", sim, real);
  return ok && real == sim;
}

std::vector<RatioGroup> matrix_ratio_groups(const ValidateOptions& options, const std::vector<sim::Scenario>& scenarios,
                                            bool whole_matrix) {
  const fs::path file = fs::path(options.source_dir) / "validate/ratio_groups.textproto";
  if (options.smoke || !fs::exists(file)) return {};
  std::vector<std::string> names;
  if (whole_matrix) {
    for (const auto& s : scenarios) names.push_back(s.name);
  }
  return load_ratio_groups(file.string(), names);
}

Verdict run(const ValidateOptions& options, std::ostream& out) {
  std::vector<std::string> files = options.scenarios;
  if (options.smoke) files = {(fs::path(options.source_dir) / "validate/guest/smoke.textproto").string()};
  const bool whole_matrix = files.empty();
  if (files.empty()) files = default_matrix(options.source_dir);
  // Every file is loaded and planned before the (slow) guest is touched: bad input fails fast.
  std::vector<sim::Scenario> scenarios = load_scenarios(files);
  if (scenarios.empty()) {
    spdlog::error("no scenarios given and none under validate/scenarios/");
    return Verdict::bad_input;
  }
  const std::vector<RatioGroup> groups = matrix_ratio_groups(options, scenarios, whole_matrix);
  const int repetitions = options.repeat > 0 ? options.repeat : (whole_matrix && !options.smoke ? 3 : 1);
  GuestOptions guest{options.source_dir, options.results, options.timeout_s};
  // Scenario boots measure their own speed first when a simulator compares them.
  GuestOptions scenario_guest = guest;
  scenario_guest.boot_probe = !options.smoke && !options.no_sim;
  const std::vector<sim::Scenario> ordered = in_run_order(scenarios, groups);
  if (options.dry_run) {
    for (int rep = 1; rep <= repetitions; ++rep) {
      scenario_guest.repetition = rep;
      for (const auto& unit : shared_boot_units(ordered, groups)) {
        if (unit.size() > 1) out << "# one boot for the next " << unit.size() << "\n";
        std::vector<PreparedRun> prepared;
        for (std::size_t i : unit) prepared.push_back(prepare_guest_run(ordered[i], scenario_guest));
        const std::string init = write_boot_init(prepared, scenario_guest);
        for (const auto& p : prepared) out << p.dir << "\n";
        if (fs::path(init).filename() != "init.sh") out << "# boot init (speed probe first): " << init << "\n";
      }
    }
    return Verdict::ok;
  }
  if (!options.calibration.empty()) read_calibration(options.calibration);  // a bad file fails before any guest boots
  std::string kernel = options.reuse_runs ? std::string() : ensure_guest_kernel(guest);
  if (!options.reuse_runs) spdlog::info("guest kernel: {}", kernel);
  std::optional<Calibration> calibration = obtain_calibration(options, kernel, guest);
  std::string report;
  if (calibration) {
    report = format_calibration(*calibration) + "\n";
    out << report;
  }
  out << format_real_header() << std::flush;
  // A ratio group's scenarios share one boot per repetition where their plans allow it.
  RealRunMatrix real = collect_real_runs(ordered, shared_boot_units(ordered, groups), repetitions, kernel, scenario_guest,
                                         {options.reuse_runs, options.progress}, out);
  int failed = real.failed;
  std::size_t present = 0;
  for (const auto& [name, runs] : real.runs) present += std::count_if(runs.begin(), runs.end(), [](const auto& r) { return r.has_value(); });
  spdlog::info("{} runs of {} scenarios x {} repetitions on the real kernel ({} failed); results in {}", present,
               scenarios.size(), repetitions, failed, fs::absolute(options.results).string());
  if (options.smoke) {
    const auto& run = real.runs[scenarios.front().name].front();
    if (run && !smoke_holds(scenarios.front(), *run, out)) ++failed;
  }
  if (options.smoke || options.no_sim) return failed == 0 ? Verdict::ok : Verdict::check_failed;
  std::vector<ScenarioComparison> comparisons;
  std::map<std::string, std::vector<std::vector<CompareRow>>> rows_by_scenario;
  BootProbeCount probes;
  for (const auto& s : scenarios) {
    auto c = compare_and_report(s, real.runs[s.name], guest, calibration, rows_by_scenario[s.name], probes, out);
    if (!c) ++failed;
    if (c) comparisons.push_back(std::move(*c));
  }
  const std::vector<ScenarioComparison> ratios = ratio_comparisons(groups, rows_by_scenario);
  for (const auto& c : comparisons) report += format_scenario(c) + "\n";
  std::string summary = format_ratios(ratios);
  if (!summary.empty()) summary += "\n";
  summary += format_agreement(comparisons) + format_boot_probes(probes) + format_noise_floor(comparisons) +
             format_targets(comparisons, ratios);
  if (calibration && calibration->source == "measured" && !options.reuse_runs) summary += drift_line(*calibration, kernel, guest);
  out << "\n" << summary << std::flush;
  // Compared again: the report goes beside the first one, which keeps the measured drift line.
  topology::write_file_atomic(fs::path(options.results) / (options.reuse_runs ? "report-reused.txt" : "report.txt"),
                              report + summary);
  return failed == 0 && all_within(comparisons) && all_within(ratios) ? Verdict::ok : Verdict::check_failed;
}

}  // namespace mpsim::validate
