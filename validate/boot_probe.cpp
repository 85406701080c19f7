#include "validate/boot_probe.h"

#include <chrono>
#include <cmath>
#include <filesystem>

#include "experiments/experiment_loader.h"
#include "topologies/file_io.h"
#include "validate/guest_plan.h"
#include "validate/guest_results.h"
#include "validate/real_run.h"

namespace mpsim::validate {
namespace {

namespace fs = std::filesystem;

// Long enough for ~10k I/Os on a quiet host, short beside a scenario's 2-20 s.
constexpr std::chrono::seconds kProbeRuntime{1};

// The first line of a file the guest wrote, "" when it did not write it.
std::string first_line(const fs::path& file) {
  if (!fs::exists(file)) return "";
  const std::string text = topology::read_file(file);
  return text.substr(0, text.find('\n'));
}

}  // namespace

sim::Scenario boot_probe_scenario(const std::string& source_dir) {
  auto runs = experiments::load_experiment_file((fs::path(source_dir) / "validate/calibration/qd16-randread.textproto").string()).runs;
  sim::Scenario s = std::move(runs.at(0).scenario);
  s.name = "boot-probe";
  for (auto& job : s.jobs) job.runtime = kProbeRuntime;
  return s;
}

std::optional<CalibrationFigures> read_boot_probe(const std::string& source_dir, const std::string& run_dir) {
  fs::path boot(run_dir);
  if (fs::exists(boot / "shared-boot")) boot = first_line(boot / "shared-boot");
  const fs::path dir = boot / kBootProbeDir;
  if (first_line(dir / "guest-exit") != "0") return std::nullopt;
  try {
    const sim::Scenario probe = boot_probe_scenario(source_dir);
    const RealRun run = analyse_guest_results(probe, plan_guest(probe), dir.string());
    if (!(run.iops > 0) || run.p50_ns <= 0 || run.p99_ns <= 0) return std::nullopt;
    return CalibrationFigures{run.iops, 0.0, run.p50_ns / 1000.0, run.p99_ns / 1000.0};
  } catch (const GuestOutputError&) {
    return std::nullopt;
  }
}

std::string format_boot_probes(const BootProbeCount& count) {
  std::string out = "boot probes: " + std::to_string(count.used) + " of " + std::to_string(count.runs) +
                    " runs simulated at their boot's own speed (the others at the start calibration's)\n";
  if (count.action_runs == 0) return out;
  return out + "harness pauses: " + std::to_string(count.action_runs) + " runs' simulated hosts paused " +
         std::to_string(std::lround(count.action_pause_ms)) +
         " ms in all for the guest's own fault actions (the test harness's CPU, not a model of the product)\n";
}

}  // namespace mpsim::validate
