#include "topologies/units.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace mpsim::topology {

namespace {

struct Unit {
  std::string_view name;
  double factor;
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

struct Quantity {
  double number;
  std::string_view unit;
};

// Splits "25 Gbps" into 25 and "Gbps". The number is a plain decimal (no sign, no exponent,
// so "1e3" cannot be misread as a unit).
Quantity split(std::string_view text, std::string_view what) {
  std::string_view s = trim(text);
  size_t end = 0;
  bool digits = false;
  while (end < s.size() && (std::isdigit(static_cast<unsigned char>(s[end])) || s[end] == '.')) {
    digits = digits || s[end] != '.';
    ++end;
  }
  if (!digits) {
    throw std::invalid_argument("\"" + std::string(text) + "\" is not a " + std::string(what) +
                                ": expected a number followed by a unit");
  }
  double number = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + end, number);
  if (ec != std::errc() || ptr != s.data() + end) {
    throw std::invalid_argument("\"" + std::string(text) + "\" is not a " + std::string(what) + ": bad number");
  }
  return {number, trim(s.substr(end))};
}

template <size_t N>
const Unit* find_unit(const std::array<Unit, N>& units, std::string_view name, bool ignore_case) {
  for (const Unit& u : units) {
    if (u.name == name || (ignore_case && lower(u.name) == lower(name))) return &u;
  }
  return nullptr;
}

template <size_t N>
std::string unit_list(const std::array<Unit, N>& units) {
  std::string out;
  for (const Unit& u : units) {
    if (u.name.empty()) continue;
    if (!out.empty()) out += ", ";
    out += u.name;
  }
  return out;
}

constexpr double kKi = 1024.0;

constexpr std::array<Unit, 15> kRateUnits{{
    {"bps", 1},          {"Kbps", 1e3},           {"Mbps", 1e6},          {"Gbps", 1e9},
    {"Tbps", 1e12},      {"B/s", 8},              {"KB/s", 8e3},          {"MB/s", 8e6},
    {"GB/s", 8e9},       {"TB/s", 8e12},          {"KiB/s", 8 * kKi},     {"MiB/s", 8 * kKi * kKi},
    {"GiB/s", 8 * kKi * kKi * kKi}, {"TiB/s", 8 * kKi * kKi * kKi * kKi}, {"kB/s", 8e3},
}};

constexpr std::array<Unit, 17> kSizeUnits{{
    {"", 1},
    {"b", 1},
    {"k", kKi},
    {"kb", kKi},
    {"kib", kKi},
    {"m", kKi * kKi},
    {"mb", kKi * kKi},
    {"mib", kKi * kKi},
    {"g", kKi * kKi * kKi},
    {"gb", kKi * kKi * kKi},
    {"gib", kKi * kKi * kKi},
    {"t", kKi * kKi * kKi * kKi},
    {"tb", kKi * kKi * kKi * kKi},
    {"tib", kKi * kKi * kKi * kKi},
    {"p", kKi * kKi * kKi * kKi * kKi},
    {"pb", kKi * kKi * kKi * kKi * kKi},
    {"pib", kKi * kKi * kKi * kKi * kKi},
}};

constexpr std::array<Unit, 12> kTimeUnits{{
    {"", 1e9},
    {"ns", 1},
    {"us", 1e3},
    {"usec", 1e3},
    {"ms", 1e6},
    {"msec", 1e6},
    {"s", 1e9},
    {"sec", 1e9},
    {"m", 60e9},
    {"min", 60e9},
    {"h", 3600e9},
    {"d", 86400e9},
}};

}  // namespace

double parse_bandwidth(std::string_view text) {
  Quantity q = split(text, "bandwidth");
  if (q.unit.empty()) {
    throw std::invalid_argument("bandwidth \"" + std::string(text) + "\" needs a unit (" + unit_list(kRateUnits) + ")");
  }
  // "kbps" and "gbps" are common spellings; the B/b distinction (bytes or bits) is kept exact.
  const Unit* unit = find_unit(kRateUnits, q.unit, false);
  if (!unit && q.unit.size() == 4 && q.unit.substr(1) == "bps") unit = find_unit(kRateUnits, q.unit, true);
  if (!unit) {
    throw std::invalid_argument("bandwidth \"" + std::string(text) + "\": unknown unit \"" + std::string(q.unit) +
                                "\" (use " + unit_list(kRateUnits) + ")");
  }
  double bps = q.number * unit->factor;
  if (!(bps > 0) || !std::isfinite(bps)) {
    throw std::invalid_argument("bandwidth \"" + std::string(text) + "\" must be > 0");
  }
  if (bps < limits::kMinBandwidthBps || bps > limits::kMaxBandwidthBps) {
    throw std::invalid_argument("bandwidth \"" + std::string(text) + "\" is outside " +
                                format_bandwidth(limits::kMinBandwidthBps) + ".." +
                                format_bandwidth(limits::kMaxBandwidthBps));
  }
  return bps;
}

std::uint64_t parse_size(std::string_view text) {
  Quantity q = split(text, "size");
  std::string unit_name = lower(q.unit);
  const Unit* unit = nullptr;
  for (const Unit& u : kSizeUnits) {
    if (u.name == unit_name) unit = &u;
  }
  if (!unit) {
    throw std::invalid_argument("size \"" + std::string(text) + "\": unknown unit \"" + std::string(q.unit) +
                                "\" (use k, m, g, t, p or KiB, MiB, GiB, TiB; bare number = bytes)");
  }
  double bytes = q.number * unit->factor;
  if (bytes != std::floor(bytes)) {
    throw std::invalid_argument("size \"" + std::string(text) + "\" is not a whole number of bytes");
  }
  if (bytes >= 18446744073709551616.0) {
    throw std::invalid_argument("size \"" + std::string(text) + "\" is too large");
  }
  return static_cast<std::uint64_t>(bytes);
}

std::int64_t parse_duration(std::string_view text) {
  Quantity q = split(text, "duration");
  const Unit* unit = nullptr;
  std::string unit_name = lower(q.unit);
  for (const Unit& u : kTimeUnits) {
    if (u.name == unit_name) unit = &u;
  }
  if (!unit) {
    throw std::invalid_argument("duration \"" + std::string(text) + "\": unknown unit \"" + std::string(q.unit) +
                                "\" (use ns, us, ms, s, m, h, d; bare number = seconds)");
  }
  double ns = std::round(q.number * unit->factor);
  if (!(ns <= static_cast<double>(limits::kMaxDurationNs))) {
    throw std::invalid_argument("duration \"" + std::string(text) + "\" is too long (at most 366d)");
  }
  return static_cast<std::int64_t>(ns);
}

std::string format_bandwidth(double bps) {
  constexpr std::array<Unit, 5> steps{{{"Tbps", 1e12}, {"Gbps", 1e9}, {"Mbps", 1e6}, {"Kbps", 1e3}, {"bps", 1}}};
  for (const Unit& u : steps) {
    if (bps >= u.factor || u.factor == 1) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%g%s", bps / u.factor, std::string(u.name).c_str());
      return buf;
    }
  }
  return "0bps";
}

}  // namespace mpsim::topology
