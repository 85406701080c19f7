// What the experiment loader says about a text: the helpers the loader, QoS and limits tests
// share (each test keeps its own fabric text).
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "experiments/experiment_loader.h"
#include "topologies/textproto.h"

namespace mpsim::experiments::test {

inline LoadedExperiment load(const std::string& text) { return load_experiment_text(text, "exp.textproto", "."); }

// Every problem the loader reports for `text` (none: it loaded).
inline std::vector<std::string> problems_of(const std::string& text) {
  try {
    load(text);
  } catch (const topology::InputError& e) {
    return e.problems();
  }
  return {};
}

inline bool has_problem(const std::vector<std::string>& problems, const std::string& needle) {
  return std::any_of(problems.begin(), problems.end(),
                     [&](const std::string& p) { return p.find(needle) != std::string::npos; });
}

inline std::string all(const std::vector<std::string>& problems) {
  std::string s;
  for (const auto& p : problems) s += p + "\n";
  return s;
}

}  // namespace mpsim::experiments::test
