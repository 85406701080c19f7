// Finding a comparison row by its measure, shared by the validate tests.
#pragma once

#include <string>
#include <vector>

#include "validate/compare.h"

namespace mpsim::validate::testing {

// The first row of `measure`, or nullptr when there is none.
inline const CompareRow* find_row(const std::vector<CompareRow>& rows, const std::string& measure) {
  for (const auto& r : rows) {
    if (r.measure == measure) return &r;
  }
  return nullptr;
}

}  // namespace mpsim::validate::testing
