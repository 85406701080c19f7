// A short measurement of the guest's speed at the start of every scenario boot (issue 15).
//
// The single-CPU UML guest runs 2-10x slower on a busy host, and its speed swings between boots;
// the calibration at the start of `mpsim validate` sees only the host of that moment. So each
// scenario boot first runs the calibration's QD16 randread for 1 s on its own one-port loopback
// setup (validate/calibration/qd16-randread.textproto), tears it down and only then sets up its
// scenario(s); the simulated side of that boot's scenarios uses that boot's CPU cost and pauses
// (fit_for_boot, calibration.h). The probe is an independent run: no row compares it.
//
// Layout: <first scenario of the boot>/rep-<k>/probe/ (a scenario of a shared boot finds it
// through its `shared-boot` file). Not run for calibration. A dm boot (nvme_core.multipath=N) runs
// it too, before its scenario's multipathd and map exist: its one controller's own namespace
// device then stands where the native head would, and the dm layer's own CPU is the scenario's.
#pragma once

#include <optional>
#include <string>

#include "sim/scenario.h"
#include "validate/calibration.h"

namespace mpsim::validate {

inline constexpr const char* kBootProbeDir = "probe";

// The calibration's QD16 randread file, cut to 1 s, named "boot-probe".
sim::Scenario boot_probe_scenario(const std::string& source_dir);

// The probe of the boot that ran the scenario in `run_dir` (absolute), if it ran and did I/O.
// A probe whose files are missing or malformed counts as absent (the run's comparison then uses
// the start calibration), never as an error.
std::optional<CalibrationFigures> read_boot_probe(const std::string& source_dir, const std::string& run_dir);

// How many compared runs had their boot's own speed (report line after the agreement), and how
// many got the guest's fault-action pauses (calibration.h kActionPausedShare; a second line).
struct BootProbeCount {
  std::size_t runs = 0;
  std::size_t used = 0;
  std::size_t action_runs = 0;
  double action_pause_ms = 0;
};
std::string format_boot_probes(const BootProbeCount& count);

}  // namespace mpsim::validate
