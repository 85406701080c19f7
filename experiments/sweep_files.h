// Small file helpers of the sweep directory (internal to experiments/sweep*.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mpsim::experiments {

std::string point_name(std::size_t index);                          // "0007"
std::string read_text(const std::string& path);                     // "" when missing
void write_atomically(const std::string& path, const std::string& text);  // temp + rename; throws
std::uint64_t fnv1a(std::string_view text);

}  // namespace mpsim::experiments
