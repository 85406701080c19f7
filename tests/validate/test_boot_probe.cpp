// The per-boot speed probe (validate/boot_probe.h): the fit for one boot from its probe, where a
// run finds its boot's probe, and the init that runs the probe before the boot's scenarios.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "sim/engine.h"
#include "measured_calibration.h"
#include "scenario_file.h"
#include "topologies/file_io.h"
#include "validate/boot_probe.h"
#include "validate/calibration.h"
#include "validate/guest_runner.h"

using namespace mpsim;
using namespace mpsim::validate;
namespace fs = std::filesystem;

namespace {

// /work/tmp-val/final2's calibration runs with cal5's batching run (validate/README.md).
CalibrationRuns measured() {
  CalibrationRuns r = testing::final2_runs();
  r.batching = {9816.0, 55448.0};
  return r;
}

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

// A probe directory as the guest writes it: 1000 completions 1 ms apart, latency 1000 + k us.
void write_probe(const fs::path& dir, const std::string& exit_code) {
  write(dir / "t0_us", "1000000000\n");
  write(dir / "faults.csv", "0,io_start\n1000,fio_exit,0\n");
  write(dir / "samples.csv", "t_ms,nvmet_p1_reads,nvmet_p1_writes,nvmet_p1_ctrl,nvmet_p1_ana\n0,0,0,live,optimized\n1000,1000,0,live,optimized\n");
  write(dir / "fio.json", R"({"jobs": [{"jobname": "randread", "error": 0, "total_err": 0}]})");
  std::string log;
  for (int k = 0; k < 1000; ++k) log += std::to_string(1000000 + k) + ", " + std::to_string((1000 + k) * 1000) + ", 0, 4096, 0\n";
  write(dir / "io_lat.1.log", log);
  write(dir / "guest-exit", exit_code + "\n");
}

}  // namespace

TEST_CASE("a probe at the calibration's own figures gives the calibration's CPU costs", "[validate][probe]") {
  const CalibrationFit cal = fit_calibration(measured());
  const CalibrationFit boot = fit_for_boot(cal, measured().qd16_read);
  CHECK(boot.read_cpu_per_io_us == Approx(cal.read_cpu_per_io_us));
  CHECK(boot.per_call_us == Approx(cal.per_call_us));
  CHECK(boot.cpu_per_io_us == Approx(cal.cpu_per_io_us));
  CHECK(boot.write_extra_us == Approx(cal.write_extra_us));
  CHECK(boot.read_service_us == cal.read_service_us);
  // The pauses come from the read run alone (the calibration averages both QD16 runs).
  CHECK(boot.cpu_available == Approx(cal.read_cpu_per_io_us * 14236.5e-6));  // the work share of that run
}

TEST_CASE("a boot at a third of the speed costs three times the CPU per I/O and loses more time", "[validate][probe]") {
  const CalibrationFit cal = fit_calibration(measured());
  // full12's steady-opt-opt-rr repetition 2 against its calibration: 1699 IOPS, p50 2730 us.
  const CalibrationFigures slow{1699.0, 0.0, 2730.0, 13000.0};
  const CalibrationFit boot = fit_for_boot(cal, slow);
  const double scale = (2730.0 / 16.0) / cal.read_cpu_per_io_us;
  CHECK(boot.read_cpu_per_io_us == Approx(2730.0 / 16.0));
  CHECK(boot.per_call_us == Approx(cal.per_call_us * scale));
  CHECK(boot.write_extra_us == Approx(cal.write_extra_us * scale));
  CHECK(boot.cpu_available == Approx(170.625e-6 * 1699.0));
  CHECK(boot.pause_rate_per_s > 0);

  // The simulator given that boot's fit runs the probe's workload at the probe's speed.
  sim::Scenario s = boot_probe_scenario(MPSIM_SOURCE_DIR);
  s.jobs.at(0).runtime = std::chrono::seconds(4);  // more pauses: less sampling noise
  apply_calibration(boot, s);
  const sim::RunResult r = sim::run_scenario(s);
  CHECK(r.jobs.at(0).read.iops() == Approx(1699.0).epsilon(0.1));

  CHECK_THROWS_AS(fit_for_boot(cal, CalibrationFigures{0.0, 0.0, 0.0, 0.0}), CalibrationError);
}

TEST_CASE("a run finds its boot's probe, through shared-boot in a shared boot", "[validate][probe]") {
  const fs::path root = fs::temp_directory_path() / "mpsim-test-boot-probe";
  fs::remove_all(root);
  const fs::path first = root / "a/rep-1", second = root / "b/rep-1", alone = root / "c/rep-1", failed = root / "d/rep-1";
  write_probe(first / kBootProbeDir, "0");
  write(second / "shared-boot", first.string() + "\n");
  fs::create_directories(alone);
  write_probe(failed / kBootProbeDir, "1");

  const auto probe = read_boot_probe(MPSIM_SOURCE_DIR, first.string());
  REQUIRE(probe);
  CHECK(probe->iops == Approx(1000.0).epsilon(0.01));
  CHECK(probe->p50_us == Approx(1500.0).epsilon(0.01));
  CHECK(probe->p99_us == Approx(1990.0).epsilon(0.01));
  REQUIRE(read_boot_probe(MPSIM_SOURCE_DIR, second.string()));
  CHECK(read_boot_probe(MPSIM_SOURCE_DIR, second.string())->iops == probe->iops);
  CHECK_FALSE(read_boot_probe(MPSIM_SOURCE_DIR, alone.string()));   // a boot before probes
  CHECK_FALSE(read_boot_probe(MPSIM_SOURCE_DIR, failed.string()));  // its init failed
  fs::remove(first / kBootProbeDir / "io_lat.1.log");
  CHECK_FALSE(read_boot_probe(MPSIM_SOURCE_DIR, first.string()));   // unreadable: absent, no error
  fs::remove_all(root);
}

namespace {

// The init of the boot that runs `run` alone: the shared one, the probe's function before the
// scenario's.
std::string probed_init(const PreparedRun& run, const GuestOptions& options) {
  const std::string init = write_boot_init({run}, options);
  CHECK(fs::path(init).filename() == "init-shared.sh");
  const std::string text = topology::read_file(init);
  const auto probe_at = text.find("SCN_NAME='boot-probe'"), scenario_at = text.find("SCN_NAME='" + run.plan.name + "'");
  REQUIRE(probe_at != std::string::npos);
  REQUIRE(scenario_at != std::string::npos);
  CHECK(probe_at < scenario_at);
  return text;
}

}  // namespace

TEST_CASE("a boot runs the probe before its scenarios, a dm boot before its multipathd", "[validate][probe]") {
  const fs::path root = fs::temp_directory_path() / "mpsim-test-boot-init";
  fs::remove_all(root);
  GuestOptions options{MPSIM_SOURCE_DIR, root.string(), 300, "384M", 1, true};
  const PreparedRun native = prepare_guest_run(testing::load("validate/scenarios/steady-opt-opt-rr.textproto"), options);
  const std::string text = probed_init(native, options);
  CHECK(text.find("SCN_RESULTS='" + (fs::path(native.dir) / kBootProbeDir).string() + "'") != std::string::npos);
  CHECK(text.find("--runtime=1000ms") != std::string::npos);
  CHECK(text.find("scn_main_shared scn_1 scn_2\n") != std::string::npos);

  // dm mode: the probe is the init's first scenario, without the dm variables, which only the
  // dm scenario's own function sets (its multipathd starts in its own setup); the host package
  // line stays for boot.sh.
  const PreparedRun dm = prepare_guest_run(testing::load("validate/scenarios/dm-steady-opt-opt-rr.textproto"), options);
  const std::string dm_text = probed_init(dm, options);
  CHECK(dm_text.find("SCN_DM=1") > dm_text.find("SCN_NAME='dm-steady-opt-opt-rr'"));
  CHECK(dm_text.find("\n# host-packages: multipath-tools\n") != std::string::npos);
  CHECK(dm.plan.dm);
  options.boot_probe = false;
  CHECK(fs::path(write_boot_init({native}, options)).filename() == "init.sh");
  fs::remove_all(root);
}
