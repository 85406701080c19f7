#include "validate/real_run.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>

#include "sim/fault_plan.h"
#include "topologies/file_io.h"
#include "validate/guest_dm.h"
#include "validate/guest_timers.h"

namespace mpsim::validate {
namespace {

namespace fs = std::filesystem;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr std::int64_t kThroughputBinMs = 100;
constexpr double kFullThroughput = 0.9;

std::string read_file(const fs::path& path) {
  try {
    return topology::read_file(path);
  } catch (const topology::FileError& e) {
    if (!fs::exists(path)) throw GuestOutputError(path.string() + ": missing (the guest did not write it)");
    throw GuestOutputError(e.what());
  }
}

std::int64_t to_ms(policies::Duration d) { return duration_cast<milliseconds>(d).count(); }

// Per-I/O logs in name order, so the merge is the same on every run.
Completions read_completions(const fs::path& dir, std::int64_t t0_ms) {
  std::vector<fs::path> logs;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("io_lat.", 0) == 0 && name.size() > 4 && name.substr(name.size() - 4) == ".log") logs.push_back(entry.path());
  }
  std::sort(logs.begin(), logs.end());
  if (logs.empty()) throw GuestOutputError((dir / "io_lat.1.log").string() + ": missing (fio wrote no per-I/O log)");
  Completions c;
  for (const auto& log : logs) append_lat_log(read_file(log), t0_ms, log.string(), c);
  sort_completions(c);
  return c;
}

std::string kernel_version(const fs::path& console) {
  std::istringstream in(read_file(console));
  std::string line;
  while (std::getline(in, line)) {
    std::size_t at = line.find("Linux version ");
    if (at != std::string::npos) return line.substr(at, line.find(' ', at + 14) - at);
  }
  return "";
}

void measure_paths(const SampleTable& samples, const GuestPlan& plan, RealRun& run) {
  std::vector<std::uint64_t> ios = path_ios(samples, run.measure_from_ms, run.measure_to_ms);
  std::uint64_t total = 0;
  for (auto n : ios) total += n;
  for (std::size_t i = 0; i < samples.paths.size(); ++i) {
    RealPath p;
    for (const auto& port : plan.ports) {
      if (port.key == samples.paths[i]) p.port = port.name;
    }
    p.controller = plan.host + "/" + p.port;
    p.ios = ios[i];
    p.share = total > 0 ? static_cast<double>(ios[i]) / static_cast<double>(total) : 0.0;
    run.paths.push_back(p);
  }
}

// Completions per 100 ms bin outside every fault window: the throughput to recover to.
double steady_per_bin(const Completions& c, const RealRun& run) {
  std::uint64_t count = 0;
  std::int64_t span = run.measure_to_ms - run.measure_from_ms;
  for (const auto& f : run.faults) span -= std::max<std::int64_t>(0, std::min(f.end_ms, run.measure_to_ms) - std::max(f.at_ms, run.measure_from_ms));
  for (std::int64_t t : c.t_ms) {
    bool in_fault = std::any_of(run.faults.begin(), run.faults.end(), [&](const RealFault& f) { return t >= f.at_ms && t < f.end_ms; });
    if (!in_fault && t >= run.measure_from_ms && t <= run.measure_to_ms) ++count;
  }
  return span > 0 ? static_cast<double>(count) * kThroughputBinMs / static_cast<double>(span) : 0.0;
}

// Fault actions fork `tc`/`ip` and take tens of ms: measure from when the first one finished.
// Without a pairing of lines and actions (older or cut-short runs): the first action line at or
// after the planned time, whichever fault it belongs to.
std::int64_t first_line_after(const std::vector<FaultRecord>& records, std::int64_t planned_ms) {
  for (const auto& r : records) {
    if (r.t_ms >= planned_ms && is_fault_action(r)) return r.t_ms;
  }
  return planned_ms;
}

// The faults.csv action a lib.sh call logs ("port_down nvmet_p1" -> "unlink,nvmet_p1,...").
std::string logged_action(const std::string& command) {
  static const std::pair<const char*, const char*> kLogged[] = {{"ana_set", "ana"},   {"port_down", "unlink"},
                                                                {"port_up", "link"},  {"net_set", "net"},
                                                                {"ctrl_fatal", "fatal"}, {"ctrl_reset", "reset"}};
  const std::string verb = command.substr(0, command.find(' '));
  for (const auto& [call, logged] : kLogged) {
    if (verb == call) return logged;
  }
  return verb;
}

std::string first_word(const std::string& text, char separator) { return text.substr(0, text.find(separator)); }

}  // namespace

std::vector<std::int64_t> action_line_times(const GuestPlan& plan, const std::vector<FaultRecord>& records) {
  std::vector<std::int64_t> times(plan.actions.size(), -1);
  std::size_t next = 0;
  for (const auto& r : records) {
    if (!is_fault_action(r) || r.action == "reset_done") continue;
    if (next == plan.actions.size()) return {};
    const GuestAction& a = plan.actions[next];
    const std::size_t space = a.command.find(' ');
    const std::string port = space == std::string::npos ? "" : first_word(a.command.substr(space + 1), ' ');
    if (r.action != logged_action(a.command) || first_word(r.detail, ',') != port) return {};
    times[next++] = r.t_ms;
  }
  return times;
}

std::vector<AppliedFault> applied_fault_times(const sim::Scenario& s, const GuestPlan& plan,
                                              const std::vector<FaultRecord>& records, std::int64_t io_start_ms) {
  const std::vector<std::int64_t> lines = action_line_times(plan, records);
  std::vector<AppliedFault> out;
  for (std::size_t i = 0; i < s.faults.size(); ++i) {
    const sim::FaultSpec& f = s.faults[i];
    const std::int64_t planned = io_start_ms + to_ms(f.at);
    AppliedFault applied{first_line_after(records, planned), -1};
    if (!lines.empty()) {
      const std::optional<std::int64_t> end = sim::fault_window_end(f);
      const std::int64_t end_ms = end ? to_ms(policies::Duration(*end)) : -1;
      bool started = false, ended = end.has_value();
      std::int64_t last_end = -1;
      for (std::size_t k = 0; k < plan.actions.size(); ++k) {
        const GuestAction& a = plan.actions[k];
        if (a.fault != i) continue;
        if (!started) {  // the fault's first action, at its start
          started = true;
          applied.start_ms = lines[k] >= 0 ? lines[k] : planned;
        }
        if (end && a.at_ms == end_ms && a.at_ms > to_ms(f.at)) {
          ended = ended && lines[k] >= 0;
          last_end = std::max(last_end, lines[k]);
        }
      }
      if (ended && last_end >= 0) applied.end_ms = last_end;
    }
    out.push_back(applied);
  }
  return out;
}

namespace {

// A state change can happen while the action runs (an unlink drops nvmet's connections before
// the write returns): look from the action's start, count from when it took effect (0 if during).
std::int64_t detect_ms(const SampleTable& samples, const RealFault& f) {
  std::int64_t since_start = time_to_state_change(samples, f.at_ms);
  if (since_start < 0) return -1;
  return std::max<std::int64_t>(0, f.at_ms + since_start - f.applied_ms);
}

void measure_faults(const sim::Scenario& s, const GuestPlan& plan, const SampleTable& samples, const Completions& c,
                    std::int64_t io_start, RealRun& run) {
  const std::vector<AppliedFault> applied = applied_fault_times(s, plan, run.actions, io_start);
  for (std::size_t i = 0; i < s.faults.size(); ++i) {
    const sim::FaultSpec& f = s.faults[i];
    RealFault rf;
    rf.label = f.label.empty() ? f.target : f.label;
    rf.at_ms = io_start + to_ms(f.at);
    rf.applied_ms = applied[i].start_ms;
    rf.applied_end_ms = applied[i].end_ms;
    // The window the simulator measures recovery from; open-ended: until the run's end.
    const std::optional<std::int64_t> end = sim::fault_window_end(f);
    rf.end_ms = end ? io_start + to_ms(policies::Duration(*end)) : run.measure_to_ms;
    rf.stall_ms = longest_gap_ms(c.t_ms, rf.applied_ms, run.measure_to_ms);
    rf.time_to_detect_ms = detect_ms(samples, rf);
    if (end) rf.time_to_restore_ms = time_to_state_restore(samples, rf.at_ms, rf.end_ms);
    run.faults.push_back(rf);
  }
  double steady = steady_per_bin(c, run);
  for (auto& rf : run.faults) {
    if (rf.end_ms < run.measure_to_ms) {
      rf.time_to_full_throughput_ms = time_to_throughput(c.t_ms, rf.end_ms, run.measure_to_ms, steady, kThroughputBinMs, kFullThroughput);
    }
  }
}

// Each job's log alone (several jobs: validate/compare.cpp's per-job rows).
std::vector<RealRun::JobFigures> per_job_figures(const fs::path& dir, std::int64_t t0_ms, const RealRun& run) {
  std::vector<RealRun::JobFigures> out;
  const double seconds = static_cast<double>(run.measure_to_ms - run.measure_from_ms) / 1000.0;
  for (std::size_t k = 1; k <= run.jobs.size(); ++k) {
    const fs::path log = dir / ("io_lat." + std::to_string(k) + ".log");
    if (!fs::exists(log)) return {};
    Completions c;
    append_lat_log(read_file(log), t0_ms, log.string(), c);
    sort_completions(c);
    std::uint64_t n = 0;
    for (std::int64_t t : c.t_ms) n += t >= run.measure_from_ms && t <= run.measure_to_ms;
    out.push_back({seconds > 0 ? static_cast<double>(n) / seconds : 0.0,
                   latency_percentile_ns(c, run.measure_from_ms, run.measure_to_ms, 50.0),
                   latency_percentile_ns(c, run.measure_from_ms, run.measure_to_ms, 99.0)});
  }
  return out;
}

// Which timers fired during each fault, from dmesg.txt (left unread without it or its anchor).
void read_fault_timers(const fs::path& dir, RealRun& run) {
  if (!fs::exists(dir / "dmesg.txt")) return;
  const std::string dmesg = read_file(dir / "dmesg.txt");
  const std::optional<std::int64_t> offset = dmesg_to_guest_offset_ms(dmesg, run.actions);
  if (!offset) return;
  const std::vector<GuestTimer> timers = parse_guest_timers(dmesg);
  for (std::size_t i = 0; i < run.faults.size(); ++i) {
    const std::int64_t to = i + 1 < run.faults.size() ? run.faults[i + 1].applied_ms : run.measure_to_ms;
    run.faults[i].timers = guest_timers_between(timers, *offset, run.faults[i].applied_ms, to);
  }
}

// dm mode: when multipathd's checker ticked (the simulator's checker replays its phase).
void read_checker_ticks(const fs::path& dir, RealRun& run) {
  if (!fs::exists(dir / "multipathd.log") || !fs::exists(dir / "t0_uptime")) return;
  const std::string t0 = read_file(dir / "t0_uptime");
  char* end = nullptr;
  const double t0_uptime_s = std::strtod(t0.c_str(), &end);
  if (end == t0.c_str()) throw GuestOutputError((dir / "t0_uptime").string() + ": expected the kernel's uptime in seconds, got \"" + t0 + "\"");
  run.dm_checker_ticks_ms = multipathd_checker_ticks_ms(read_file(dir / "multipathd.log"), t0_uptime_s);
}

}  // namespace

RealRun analyse_guest_results(const sim::Scenario& scenario, const GuestPlan& plan, const std::string& dir_name) {
  fs::path dir(dir_name);
  RealRun run;
  run.scenario = scenario.name;
  run.policy = plan.iopolicy;
  std::int64_t t0_ms = std::stoll(read_file(dir / "t0_us")) / 1000;
  SampleTable samples = parse_samples_csv(read_file(dir / "samples.csv"), (dir / "samples.csv").string());
  run.actions = parse_faults_csv(read_file(dir / "faults.csv"), (dir / "faults.csv").string());
  run.jobs = parse_fio_json(read_file(dir / "fio.json"));
  Completions c = read_completions(dir, t0_ms);
  if (fs::exists(dir / "console.log")) run.kernel = kernel_version(dir / "console.log");
  if (fs::exists(dir / "boot-wall-ms")) run.boot_wall_ms = std::stoll(read_file(dir / "boot-wall-ms"));

  // The fault clock starts at the first completed I/O (io_start); fio's own exit ends the window.
  const std::int64_t io_start = first_record_ms(run.actions, "io_start").value_or(0);
  run.measure_from_ms = io_start + plan.measure_from_ms;
  run.measure_to_ms = std::min(io_start + plan.run_ms, first_record_ms(run.actions, "fio_exit").value_or(io_start + plan.run_ms));
  for (std::size_t i = 0; i < c.t_ms.size(); ++i) {
    if (c.t_ms[i] >= run.measure_from_ms && c.t_ms[i] <= run.measure_to_ms) ++run.completions;
  }
  double seconds = static_cast<double>(run.measure_to_ms - run.measure_from_ms) / 1000.0;
  run.iops = seconds > 0 ? static_cast<double>(run.completions) / seconds : 0.0;
  run.p50_ns = latency_percentile_ns(c, run.measure_from_ms, run.measure_to_ms, 50.0);
  run.p99_ns = latency_percentile_ns(c, run.measure_from_ms, run.measure_to_ms, 99.0);
  run.p999_ns = latency_percentile_ns(c, run.measure_from_ms, run.measure_to_ms, 99.9);
  run.max_ns = latency_percentile_ns(c, run.measure_from_ms, run.measure_to_ms, 100.0);
  run.stall_ms = longest_gap_ms(c.t_ms, run.measure_from_ms, run.measure_to_ms);
  for (const auto& j : run.jobs) run.errors += failed_ios(j);
  if (run.jobs.size() > 1) run.job_figures = per_job_figures(dir, t0_ms, run);
  measure_paths(samples, plan, run);
  measure_faults(scenario, plan, samples, c, io_start, run);
  read_fault_timers(dir, run);
  read_checker_ticks(dir, run);
  run.samples = std::move(samples);
  return run;
}

}  // namespace mpsim::validate
