#include "policies/selectors/params.h"

#include "policies/selector.h"

namespace mpsim::policies {

bool parse_unsigned(const std::string& text, std::uint64_t& out) {
  if (text.empty()) return false;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    const std::uint64_t digit = std::uint64_t(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
    value = value * 10 + digit;
  }
  out = value;
  return true;
}

static std::string describe_range(std::uint64_t min, std::uint64_t max) {
  if (max >= std::numeric_limits<std::uint32_t>::max()) return "an integer >= " + std::to_string(min);
  return "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
}

const std::string& ParamReader::raw(const std::string& name) const {
  static const std::string empty;
  auto it = params_.find(name);
  return it == params_.end() ? empty : it->second;
}

void ParamReader::fail(const std::string& name, const std::string& expected) const {
  throw PolicyError("policy '" + policy_ + "': parameter '" + name + "': expected " + expected + ", got '" +
                    raw(name) + "'");
}

std::uint64_t ParamReader::integer(const std::string& name, std::uint64_t min, std::uint64_t max) const {
  std::uint64_t value = 0;
  if (!parse_unsigned(raw(name), value) || value < min || value > max) fail(name, describe_range(min, max));
  return value;
}

bool ParamReader::boolean(const std::string& name) const {
  const std::string& v = raw(name);
  if (v == "true" || v == "1") return true;
  if (v == "false" || v == "0") return false;
  fail(name, "true or false");
}

std::size_t ParamReader::choice(const std::string& name, std::initializer_list<const char*> allowed) const {
  std::string expected = "one of";
  std::size_t i = 0;
  for (const char* a : allowed) {
    if (raw(name) == a) return i;
    expected += (i == 0 ? " '" : ", '") + std::string(a) + "'";
    ++i;
  }
  fail(name, expected);
}

std::vector<std::uint64_t> ParamReader::integer_list(const std::string& name, std::uint64_t min,
                                                     std::uint64_t max) const {
  std::vector<std::uint64_t> out;
  const std::string& text = raw(name);
  if (text.empty()) return out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    std::uint64_t value = 0;
    if (!parse_unsigned(item, value) || value < min || value > max)
      fail(name, "a comma-separated list of " + describe_range(min, max).substr(3) + "s");
    out.push_back(value);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace mpsim::policies
