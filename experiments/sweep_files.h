// Small file helpers of the sweep directory (internal to experiments/sweep*.cpp).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace mpsim::experiments {

std::string point_name(std::size_t index);                          // "0007"
std::string read_text(const std::string& path);                     // "" when missing
void write_atomically(const std::string& path, const std::string& text);  // temp + rename; throws
std::uint64_t fnv1a(std::string_view text);
// `j.dump(indent)` and a newline; bytes of a name that are not UTF-8 print as U+FFFD (as
// topologies/json.h does), so the file is valid JSON whatever the experiment's names hold.
std::string json_text(const nlohmann::json& j, int indent);

}  // namespace mpsim::experiments
