// The whole-simulator soak (issue 17 item 3, the VOPR idea at engine level): random valid
// experiments — fabrics from the parametric generators, random policies, fio-style jobs, every
// fault kind at random times, random controller timers — each run twice and checked.
//
//   SoakCase c = generate_soak_case(seed);      // the experiment as text: a repro file
//   std::vector<std::string> problems = check_soak_case(c);
//
// `./mpsim soak --seconds N` runs cases until the budget is spent; a failing case prints its
// seed and leaves its experiment file behind (`mpsim run FILE` replays it).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace mpsim::experiments::soak {

struct SoakCase {
  std::uint64_t seed = 0;
  std::string text;                   // a complete experiment (textproto), self-contained
  std::set<std::string> fault_kinds;  // "down", "ana", "flap", "gray", "reset"
};

SoakCase generate_soak_case(std::uint64_t seed);

struct SoakOutcome {
  std::vector<std::string> problems;  // empty: every invariant held
  std::uint64_t runs = 0;             // policy runs, each done twice
  std::uint64_t simulated_ios = 0;
  std::uint64_t events = 0;           // engine events of both runs, each followed by the invariant checks
};

// Loads the case (a load error is itself a problem: the generator must make valid input), runs
// it twice and checks: the ledger balances; every path used is a connection of the job's host
// to its subsystem; path shares of a namespace sum to 1; per-controller timeline counts sum to
// the all-paths row of each interval; events are in time order within the run; both runs give
// byte-identical reports. Each run also checks the engine's invariants after every event
// (Scenario::check_invariants, sim/invariants.h).
SoakOutcome check_soak_case(const SoakCase& c);

}  // namespace mpsim::experiments::soak
