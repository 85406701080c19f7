// The bad-input errors every subcommand reports the same way, in one place.
#pragma once

#include <iostream>
#include <stdexcept>

#include "experiments/cli/commands.h"
#include "topologies/textproto.h"

namespace mpsim::cli {

// Runs `fn` and returns its exit code. A topology::InputError (one "FILE:LINE:COL: field: message"
// line per problem) or a std::invalid_argument (a bad flag value: OverrideError, SloError, ...)
// becomes its message on stderr and kExitBadInput; any other exception is the caller's to handle.
template <class Fn>
int run_guarded(Fn&& fn) {
  try {
    return fn();
  } catch (const topology::InputError& e) {
    for (const std::string& p : e.problems()) std::cerr << p << "\n";
    return kExitBadInput;
  } catch (const std::invalid_argument& e) {
    std::cerr << e.what() << "\n";
    return kExitBadInput;
  }
}

}  // namespace mpsim::cli
