// Loading one of the repository's experiment files as the single scenario it holds.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "experiments/experiment_loader.h"

namespace mpsim::validate::testing {

inline sim::Scenario load(const std::string& relative) {
  auto exp = experiments::load_experiment_file(std::string(MPSIM_SOURCE_DIR) + "/" + relative);
  REQUIRE(exp.runs.size() == 1);
  return exp.runs.front().scenario;
}

}  // namespace mpsim::validate::testing
