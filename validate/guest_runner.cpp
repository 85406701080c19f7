#include "validate/guest_runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sys/wait.h>

#include "topologies/file_io.h"
#include "validate/boot_probe.h"
#include "validate/guest_plan.h"
#include "validate/guest_script.h"

namespace mpsim::validate {
namespace {

namespace fs = std::filesystem;

int exit_status(int raw) { return raw == -1 ? -1 : (WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw)); }

// Runs a shell command; stderr passes through to the user, stdout is returned.
std::string run_capture(const std::string& command, int& status) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) throw GuestRunError("cannot run: " + command);
  std::string out;
  std::array<char, 4096> buf{};
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe.get())) out.append(buf.data(), n);
  status = exit_status(pclose(pipe.release()));
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

void write_text(const fs::path& path, const std::string& text) {
  try {
    topology::write_file_atomic(path, text);
  } catch (const topology::FileError& e) {
    throw GuestRunError(e.what());
  }
}

std::string describe(const GuestPlan& plan) {
  std::string out = "scenario " + plan.name + "\niopolicy " + plan.iopolicy + "\nnet " +
                    (plan.net == GuestNet::Veth ? "veth" : "loopback") + "\nrun_ms " + std::to_string(plan.run_ms) + "\n";
  for (const auto& p : plan.ports) {
    out += "port " + p.name + " id=" + std::to_string(p.id) + " svc=" + std::to_string(p.trsvcid) +
           (p.connected ? " connected" + p.connect_options : " not-connected") + " delay_us=" + std::to_string(p.delay_us) + "\n";
  }
  for (const auto& a : plan.actions) out += "at " + std::to_string(a.at_ms) + "ms " + a.command + "  # " + a.why + "\n";
  return out;
}

}  // namespace

std::string results_subdir(const std::string& name) {
  std::string out;
  for (char c : name) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '_';
  return out.empty() ? "scenario" : out;
}

std::string ensure_guest_kernel(const GuestOptions& options) {
  std::string script = (fs::path(options.source_dir) / "validate/guest/build-kernel.sh").string();
  int status = 0;
  std::string kernel = run_capture("bash " + shell_quote(script), status);
  if (status != 0 || kernel.empty()) throw GuestRunError("building the guest kernel failed (" + script + " exit " + std::to_string(status) + ")");
  std::size_t last_line = kernel.rfind('\n');
  return last_line == std::string::npos ? kernel : kernel.substr(last_line + 1);
}

PreparedRun prepare_guest_run(const sim::Scenario& scenario, const GuestOptions& options) {
  PreparedRun prepared{plan_guest(scenario), run_dir(options, scenario.name)};
  fs::path dir(prepared.dir);
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::path guest = fs::absolute(fs::path(options.source_dir) / "validate/guest");
  write_text(dir / "plan.txt", describe(prepared.plan));
  write_text(dir / "init.sh", render_guest_init(prepared.plan, (guest / "lib.sh").string(), dir.string()));
  return prepared;
}

std::string write_boot_init(const std::vector<PreparedRun>& prepared, const GuestOptions& options) {
  const fs::path first(prepared.front().dir);
  const bool probe = options.boot_probe;
  if (prepared.size() == 1 && !probe) return (first / "init.sh").string();
  std::vector<GuestPlan> plans;
  std::vector<std::string> dirs;
  if (probe) {
    const sim::Scenario s = boot_probe_scenario(options.source_dir);
    plans.push_back(plan_guest(s));
    dirs.push_back((first / kBootProbeDir).string());
    fs::create_directories(dirs.back());
    write_text(fs::path(dirs.back()) / "plan.txt", describe(plans.back()));
  }
  for (const auto& p : prepared) {
    plans.push_back(p.plan);
    dirs.push_back(p.dir);
  }
  fs::path guest = fs::absolute(fs::path(options.source_dir) / "validate/guest");
  const fs::path init = first / "init-shared.sh";
  write_text(init, render_shared_guest_init(plans, dirs, (guest / "lib.sh").string()));
  return init.string();
}

namespace {

// The probe's setup, 1 s of I/O and teardown, on a host slow enough to need most of it.
constexpr int kProbeTimeoutS = 60;

// boot.sh with `init` as PID 1; the console goes to `dir`. Returns boot.sh's exit status.
int boot_guest(const std::string& kernel, const fs::path& init, const fs::path& dir, const GuestPlan& plan,
               const GuestOptions& options, int timeout_s) {
  fs::path guest = fs::absolute(fs::path(options.source_dir) / "validate/guest");
  std::string command = "MPSIM_GUEST_TIMEOUT=" + std::to_string(timeout_s) + " MPSIM_GUEST_MEM=" + shell_quote(options.memory) +
                        " bash " + shell_quote((guest / "boot.sh").string()) + " " + shell_quote(kernel) + " " +
                        shell_quote(init.string()) + " " + shell_quote(dir.string());
  for (const auto& arg : plan.kernel_args()) {
    command += ' ';
    command += shell_quote(arg);
  }
  int status = 0;
  run_capture(command + " >&2", status);
  return status;
}

RealRun analyse_and_record(const sim::Scenario& scenario, const GuestPlan& plan, const fs::path& dir) {
  RealRun run = analyse_guest_results(scenario, plan, dir.string());
  write_text(dir / "validation-real.json", real_run_json(run));
  return run;
}

}  // namespace

RealRun run_in_guest(const sim::Scenario& scenario, const std::string& kernel, const GuestOptions& options) {
  PreparedRun prepared = prepare_guest_run(scenario, options);
  fs::path dir(prepared.dir);
  spdlog::info("guest: {} ({} ms workload, {} fault actions)", scenario.name, prepared.plan.run_ms, prepared.plan.actions.size());
  const fs::path init = write_boot_init({prepared}, options);
  const int timeout = options.timeout_s + (init.filename() == "init.sh" ? 0 : kProbeTimeoutS);
  if (boot_guest(kernel, init, dir, prepared.plan, options, timeout) != 0) {
    throw GuestRunError("scenario " + scenario.name + ": the guest run failed (see " + dir.string() + "/console.log)");
  }
  return analyse_and_record(scenario, prepared.plan, dir);
}

std::vector<SharedBootRun> run_in_one_guest(const std::vector<sim::Scenario>& scenarios, const std::string& kernel,
                                            const GuestOptions& options) {
  if (scenarios.size() == 1) return {{run_in_guest(scenarios.front(), kernel, options), ""}};
  std::vector<PreparedRun> prepared;
  std::vector<GuestPlan> plans;
  std::vector<std::string> dirs;
  for (const auto& s : scenarios) {
    prepared.push_back(prepare_guest_run(s, options));
    if (!can_share_boot(prepared.front().plan, prepared.back().plan)) {
      throw GuestPlanError("scenarios " + scenarios.front().name + " and " + s.name + " cannot share a boot");
    }
    plans.push_back(prepared.back().plan);
    dirs.push_back(prepared.back().dir);
  }
  const fs::path first(dirs.front());
  const fs::path init = write_boot_init(prepared, options);
  for (std::size_t i = 1; i < dirs.size(); ++i) write_text(fs::path(dirs[i]) / "shared-boot", dirs.front() + "\n");
  std::string names;
  for (const auto& s : scenarios) names += (names.empty() ? "" : ", ") + s.name;
  spdlog::info("guest: {} scenarios in one boot: {}", scenarios.size(), names);
  const int timeout = options.timeout_s * static_cast<int>(scenarios.size()) + (options.boot_probe ? kProbeTimeoutS : 0);
  // boot.sh judges the first scenario's guest-exit; the others are judged one by one below.
  if (boot_guest(kernel, init, first, plans.front(), options, timeout) != 0 &&
      std::none_of(dirs.begin(), dirs.end(), [](const std::string& d) { return fs::exists(fs::path(d) / "guest-exit"); })) {
    throw GuestRunError("scenarios " + names + ": the shared guest boot failed (see " + first.string() + "/console.log)");
  }
  std::vector<SharedBootRun> out(scenarios.size());
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    const fs::path dir(dirs[i]);
    try {
      if (!fs::exists(dir / "guest-exit")) throw GuestOutputError("the shared boot ended before it ran (" + dir.string() + ")");
      std::ifstream exit_file(dir / "guest-exit");
      int code = -1;
      exit_file >> code;
      if (code != 0) throw GuestOutputError("its guest init failed (see " + dir.string() + "/guest-error.txt)");
      out[i].run = analyse_and_record(scenarios[i], plans[i], dir);
    } catch (const GuestOutputError& e) {
      out[i].error = "scenario " + scenarios[i].name + ": " + e.what();
    }
  }
  return out;
}

std::string run_dir(const GuestOptions& options, const std::string& scenario_name) {
  fs::path dir = fs::absolute(fs::path(options.results_dir) / results_subdir(scenario_name));
  if (options.repetition > 0) dir /= "rep-" + std::to_string(options.repetition);
  return dir.string();
}

bool finished_run_exists(const GuestOptions& options, const std::string& scenario_name) {
  return fs::exists(fs::path(run_dir(options, scenario_name)) / "validation-real.json");
}

RealRun read_guest_run(const sim::Scenario& scenario, const GuestOptions& options) {
  fs::path dir = run_dir(options, scenario.name);
  if (options.repetition == 1 && !fs::exists(dir / "guest-exit") && fs::exists(dir.parent_path() / "guest-exit")) {
    dir = dir.parent_path();  // a results directory written before repetitions
  }
  if (!fs::exists(dir / "guest-exit")) {
    throw GuestOutputError("scenario " + scenario.name + ": no earlier guest run in " + dir.string());
  }
  return analyse_guest_results(scenario, plan_guest(scenario), dir.string());
}

}  // namespace mpsim::validate
