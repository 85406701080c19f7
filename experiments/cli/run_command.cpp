// `mpsim run [EXPERIMENT] [--out DIR] [--json]`: run an experiment once per policy and report
// the policies side by side (stdout), and optionally every report file under DIR.
#include <spdlog/spdlog.h>

#include <atomic>
#include <filesystem>
#include <iostream>

#include "experiments/cli/commands.h"
#include "experiments/cli/guarded.h"
#include "experiments/experiment_loader.h"
#include "experiments/interrupt.h"
#include "experiments/junit.h"
#include "experiments/slo.h"
#include "experiments/progress.h"
#include "experiments/reports.h"
#include "experiments/run_estimate.h"
#include "experiments/runner.h"
#include "topologies/textproto.h"

namespace mpsim::cli {
namespace {

namespace ex = mpsim::experiments;

struct RunOptions {
  std::string experiment = MPSIM_SOURCE_DIR "/experiments/quickstart.textproto";
  std::string out_dir;
  bool json = false;
  bool report = false;
  bool allow_large = false;            // --allow-large: skip the cost-estimate refusal
  std::vector<std::string> overrides;  // --set PATH=VALUE
  std::vector<std::string> slos;       // --slo TEXT, beside the file's slo {}
  std::string junit;
  bool progress = false;               // --progress: also when stderr is not a terminal
  std::string fio_file;                // --fio JOB.fio (instead of an experiment file)
  std::string fabric;                  // --fabric FABRIC.textproto, with --fio
  std::vector<std::string> maps;       // --map FILENAME=HOST:NQN:NSID, with --fio
  std::uint64_t fio_log_avg_ms = 0;    // --fio-logs MSEC
};

std::vector<ex::RunReport> pair_up(const ex::LoadedExperiment& exp, const std::vector<sim::RunResult>& results) {
  std::vector<ex::RunReport> reports;
  for (std::size_t i = 0; i < results.size(); ++i) reports.push_back({exp.runs[i], results[i]});
  return reports;
}

std::vector<sim::RunResult> run_with_progress(ex::LoadedExperiment& exp, bool force) {
  ex::TerminalProgress progress(force);
  std::vector<sim::RunProgress> watched(exp.runs.size());
  if (progress.active()) {
    for (std::size_t i = 0; i < exp.runs.size(); ++i) exp.runs[i].scenario.progress = &watched[i];
  }
  struct Unwatch {  // the counters live only as long as this function
    ex::LoadedExperiment& exp;
    ~Unwatch() {
      for (ex::PlannedRun& r : exp.runs) r.scenario.progress = nullptr;
    }
  } unwatch{exp};
  return ex::run_experiment(exp, [&](std::size_t i) {
    const sim::Scenario& s = exp.runs[i].scenario;
    std::int64_t total = s.duration.count();
    for (const sim::JobSpec& j : s.jobs) total = std::max(total, (j.start_delay + j.ramp_time + j.runtime).count());
    progress.watch_run(exp.runs[i].label + " (" + std::to_string(i + 1) + "/" + std::to_string(exp.runs.size()) + ")",
                       &watched[i], total, exp.runs.size() - i - 1);
    spdlog::debug("running {} with policy {}", exp.name, exp.runs[i].policy_text);
  });
}

// `--fio JOB.fio --fabric FABRIC --map ...`: an experiment made of the job file, the fabric,
// Linux's default iopolicy (numa) and seed 1; --set changes any of it.
ex::LoadedExperiment load_fio_run(const RunOptions& opt) {
  namespace fs = std::filesystem;
  experiment::Experiment exp;
  exp.set_name(fs::path(opt.fio_file).stem().string());
  exp.set_description("fio job file " + opt.fio_file + " on " + opt.fabric);
  exp.set_topology_file(fs::absolute(opt.fabric).string());
  exp.set_jobs_file(fs::absolute(opt.fio_file).string());
  for (const std::string& m : opt.maps) exp.add_jobs_file_map(m);
  exp.mutable_policy()->set_name("numa");
  exp.set_seed(1);
  return ex::load_experiment_message(exp, topology::SourceMap(opt.fio_file), fs::current_path().string(),
                                     ex::parse_overrides(opt.overrides));
}

void print_results(const ex::LoadedExperiment& exp, const std::vector<ex::RunReport>& reports, bool json) {
  if (!json) std::cout << ex::summary_table(exp, reports);
  else if (reports.size() == 1) std::cout << ex::summary_json(exp, reports.front());
  else std::cout << ex::comparison_json(exp, reports);
  std::cout.flush();
}

// Prints each failed assertion (stderr) and writes --junit; true when every one passed.
bool judge_slos(const ex::LoadedExperiment& exp, const std::vector<experiment::Slo>& slos,
                const std::vector<sim::RunResult>& results, const std::string& junit) {
  std::vector<ex::JunitCase> cases;
  bool all = true;
  for (const ex::SloOutcome& o : ex::judge_run_slos(exp, slos, results)) {
    if (!o.passed) spdlog::error("SLO failed [{}] {} {}: {} (required {})", o.policy, o.name, o.subject, o.measured, o.threshold);
    all = all && o.passed;
    cases.push_back({exp.name, o});
  }
  if (!junit.empty()) ex::write_junit(junit, "mpsim run " + exp.name, cases);
  return all;
}

// What an interrupt leaves, for its message: set as the run goes.
struct OutputState {
  std::string dir;
  bool had_result = false;
  std::atomic<bool> published{false};
  std::string describe() const {
    if (dir.empty()) return "no --out, nothing written";
    if (published) return "the results in " + dir + " were written whole before it";
    return had_result ? dir + " keeps its previous results, nothing of this run was written"
                      : "nothing was written to " + dir;
  }
};

int write_output(const RunOptions& opt, const ex::LoadedExperiment& exp, const std::vector<ex::RunReport>& reports,
                 OutputState& state) {
  try {
    ex::write_reports(opt.out_dir, exp, reports);
    state.published = true;
    return kExitOk;
  } catch (const ex::ForeignOutputError& e) {
    spdlog::error("{}", e.what());
    return kExitBadInput;
  } catch (const ex::interrupt::Interrupted&) {
    ex::interrupt::await_exit();
  } catch (const std::exception& e) {  // a full disk, a read-only directory
    spdlog::error("{}; {}", e.what(), state.had_result ? opt.out_dir + " keeps its previous results" : "nothing written");
    return kExitNotWritten;
  }
}

int run(const RunOptions& opt) {
  static OutputState state;  // the interrupt watcher reads it until the process ends
  state.dir = opt.out_dir;
  ex::interrupt::install([] { return state.describe(); });
  if (!opt.out_dir.empty()) {
    try {
      state.had_result = ex::check_output_dir(opt.out_dir) == ex::OutputDirState::kOwnResult;
    } catch (const ex::ForeignOutputError& e) {
      std::cerr << e.what() << "\n";
      return kExitBadInput;
    }
  }
  ex::LoadedExperiment exp;
  std::vector<experiment::Slo> slos;
  const int loaded = run_guarded([&] {  // OverrideError, SloError, InputError
    exp = opt.fio_file.empty() ? ex::load_experiment_file(opt.experiment, ex::parse_overrides(opt.overrides))
                               : load_fio_run(opt);
    slos = ex::check_run_slos(exp, opt.slos);
    const ex::RunEstimate estimate = ex::estimate_run(exp);  // refuse up front what cannot finish
    spdlog::debug("estimate: {}", estimate.describe());
    if (!opt.allow_large) ex::check_estimate(exp, estimate, ex::EstimateBounds::for_this_machine());
    if (opt.fio_log_avg_ms > 0) ex::enable_fio_logs(exp, opt.fio_log_avg_ms);
    for (const std::string& note : exp.notes) spdlog::info("{}", note);
    return kExitOk;
  });
  if (loaded != kExitOk) return loaded;
  std::vector<sim::RunResult> results;
  try {
    results = run_with_progress(exp, opt.progress);
  } catch (const ex::RunError& e) {
    spdlog::error("{}", e.what());
    return e.bad_input() ? kExitBadInput : kExitCheckFailed;
  }
  std::vector<ex::RunReport> reports = pair_up(exp, results);
  if (!opt.out_dir.empty()) {
    if (int rc = write_output(opt, exp, reports, state); rc != kExitOk) return rc;
  }
  print_results(exp, reports, opt.json);
  if (opt.report && write_html_report(opt.out_dir) != kExitOk) return kExitBadInput;
  std::vector<std::string> problems = ex::check_results(exp, results);
  for (const std::string& p : problems) spdlog::error("{}", p);
  bool slos_met = judge_slos(exp, slos, results, opt.junit);
  return problems.empty() && slos_met ? kExitOk : kExitCheckFailed;
}

}  // namespace

void add_run_command(CLI::App& app, Action& action) {
  auto opt = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand("run", "Run an experiment once per policy and compare them side by side");
  cmd->add_option("experiment", opt->experiment, "Experiment file (.textproto); default: the built-in quickstart")
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--out", opt->out_dir,
                  "Write fio.json, timeline.csv, events.csv, summary.json per policy (and comparison.json) here");
  cmd->add_flag("--json", opt->json, "Print the summary as JSON instead of the table");
  cmd->add_option("--set", opt->overrides, "PATH=VALUE: change a field first, e.g. jobs[randread].iodepth=64")
      ->allow_extra_args(false);
  cmd->add_option("--slo", opt->slos, "An assertion, e.g. \"p99<=1ms\", \"fault:stall<=3s\"; exit 1 if one fails");
  cmd->add_option("--junit", opt->junit, "Write the assertions' results as JUnit XML here");
  cmd->add_flag("--allow-large", opt->allow_large, "Run even when the cost estimate passes this machine's memory or 24 h");
  cmd->add_flag("--progress", opt->progress, "Show progress on stderr even when it is not a terminal");
  auto* fio = cmd->add_option("--fio", opt->fio_file, "Run a fio job file (instead of an experiment file) on --fabric")
                  ->check(CLI::ExistingFile);
  auto* fabric = cmd->add_option("--fabric", opt->fabric, "The fabric (topology .textproto) a --fio job file runs on")
                     ->check(CLI::ExistingFile);
  cmd->add_option("--map", opt->maps,
                  "FILENAME=HOST:NQN:NSID: the namespace a fio job's filename (or name) stands for; HOST:NQN:NSID: every job");
  cmd->add_option("--fio-logs", opt->fio_log_avg_ms,
                  "Also write fio's lat/clat/iops/bw logs per job into --out, averaged over MSEC (fio's log_avg_msec)")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            if (v == "0") return "0 would be fio's per-I/O logs, which mpsim does not write: the simulator keeps "
                                 "per-window sums, not a record per I/O (give MSEC from 1, e.g. 1 for 1 ms windows)";
            return CLI::Range(std::uint64_t{1}, std::uint64_t{86400000})(v);
          },
          "MSEC 1..86400000"));
  fio->needs(fabric);
  fabric->needs(fio);
  cmd->add_flag("--report", opt->report, "Also write report.html (plots) into the --out directory (default ./mpsim-results)");
  cmd->callback([opt, &action, cmd] {
    if (!opt->fio_file.empty() && cmd->count("experiment") > 0) {
      throw CLI::ValidationError("--fio", "give either an experiment file or --fio, not both");
    }
    if (opt->fio_log_avg_ms > 0 && opt->out_dir.empty()) throw CLI::ValidationError("--fio-logs", "needs --out DIR");
    if (opt->report && opt->out_dir.empty()) opt->out_dir = "mpsim-results";
    action = [opt] { return run(*opt); };
  });
}

}  // namespace mpsim::cli
