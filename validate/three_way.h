// `mpsim validate --engines sim,nvmet,emulator`: the same scenario three ways — the simulator, the
// real Linux host (UML guest) against the kernel's nvmet, and the same real host against
// `mpsim emulate` running inside the guest (validate/emulate/lib-emulate.sh swaps the target and
// keeps lib.sh's sampler, connects and fio) — and a report that puts path choice per phase, the
// split, stall and time to detect side by side.
//
//   validate::EngineSet e = validate::parse_engines("sim,nvmet,emulator");
//   validate::Verdict v = validate::run_engines(options, e, std::cout);
//
// Results: <results>/nvmet/<scenario>/ and <results>/emulator/<scenario>/ (each the files of
// validate/README.md, plus emulator.log and emulator-events.csv for the emulator), and
// <results>/three-way.txt.
#pragma once

#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "validate/pipeline.h"
#include "validate/report.h"

namespace mpsim::validate {

struct EngineSet {
  bool sim = false;
  bool nvmet = false;
  bool emulator = false;
};

// "sim,nvmet,emulator" (any order, at least one of nvmet and emulator). Throws
// std::invalid_argument naming the word it does not know.
EngineSet parse_engines(std::string_view list);

// The experiment files run when none are given: ANA change then inaccessible, port down and up,
// silent loss longer than kato, target-side controller reset (numa), and a steady opt+opt split
// (round-robin), all from validate/scenarios/.
std::vector<std::string> default_engine_scenarios(const std::string& source_dir);

// The emulator runs the fault schedule itself and logs each action's wall time in its events log
// (seconds since it started, with a `fault-clock` line when the guest's SIGUSR1 started the
// schedule at the workload's first I/O). Returns the guest's faults.csv with one line per
// emulator fault action ("<t_ms>,emu-fault,<subject>;<detail>" or emu-fault-end) at io_start +
// (event time - fault clock), in time order. With `t0_us` (the guest timeline's CLOCK_REALTIME
// origin, its t0_us file) and a fault-clock line carrying "realtime_us N", the anchor is
// (N - t0_us) / 1000 instead of io_start: the emulator's own stamp, exact even when the signal
// reached it late on a loaded guest. Throws GuestOutputError naming `source` if the events log has
// fault actions but no fault clock, or faults.csv has no io_start (and no realtime anchor).
std::string merge_emulator_faults(std::string_view faults_csv, std::string_view events_csv, const std::string& source,
                                  std::optional<std::int64_t> t0_us = std::nullopt);

// One measure across the engines. A column is empty when its engine did not run.
struct EngineRow {
  std::string measure;
  std::string tolerance;
  std::string sim, nvmet, emulator;
  std::optional<bool> nvmet_vs_sim, emulator_vs_sim, emulator_vs_nvmet;
};

// Whether `other` is within `tolerance` (a CompareRow's: "exact", "3pp", "10%", "20% or 100ms")
// of `reference`; -1 (never) only agrees with -1 for timings.
bool within_tolerance(const std::string& tolerance, double reference, double other);

// Rows of the measures the engines are compared on (iops, path choice and share, whole run and
// per phase, stall, detect, errors), matched by measure name. Either comparison may be absent.
std::vector<EngineRow> engine_rows(const std::optional<ScenarioComparison>& nvmet_vs_sim,
                                   const std::optional<ScenarioComparison>& emulator_vs_sim);

// "scenario <name> (<policy>)" and one aligned line per row.
std::string format_engine_rows(const std::string& scenario, const std::string& policy, const std::vector<EngineRow>& rows);

// Per pair of engines and per measure kind: rows that agree of rows compared.
std::string format_engine_agreement(const std::vector<std::vector<EngineRow>>& all);

// Runs every scenario on the chosen engines and prints the comparison. Catches what the
// pipeline throws and answers with a verdict: bad_input for bad files or engines (before any
// boot), check_failed when a run failed or the emulator and nvmet disagree on a path choice,
// a stall, a detection or errors.
Verdict run_engines(const ValidateOptions& options, const EngineSet& engines, std::ostream& out);

inline constexpr const char* kEnginesHelp =
    "Run each scenario on several engines and compare them: sim, nvmet (the kernel's target), emulator "
    "(`mpsim emulate` in the guest), e.g. sim,nvmet,emulator (validate/emulate/README.md)";

}  // namespace mpsim::validate
