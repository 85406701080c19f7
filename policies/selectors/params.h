// Parsing of policy parameters. Every value arrives as a string (from an experiment file or
// a CLI flag); a bad one is reported with the policy and parameter it belongs to.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace mpsim::policies {

class ParamReader {
 public:
  // `params` already holds every declared parameter (make_selector fills in defaults).
  ParamReader(std::string policy, const std::map<std::string, std::string>& params)
      : policy_(std::move(policy)), params_(params) {}

  const std::string& raw(const std::string& name) const;
  std::uint64_t integer(const std::string& name, std::uint64_t min,
                        std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) const;
  bool boolean(const std::string& name) const;
  // One of `allowed`; returns its position in the list.
  std::size_t choice(const std::string& name, std::initializer_list<const char*> allowed) const;
  // Comma-separated integers, each in [min, max]; empty string = empty list.
  std::vector<std::uint64_t> integer_list(const std::string& name, std::uint64_t min, std::uint64_t max) const;

  [[noreturn]] void fail(const std::string& name, const std::string& expected) const;

 private:
  std::string policy_;
  const std::map<std::string, std::string>& params_;
};

struct PolicyConfig;
// The policy's parameters with every undeclared one refused and every unset one at its default
// (registry.cpp; throws PolicyError).
std::map<std::string, std::string> resolved_params(const PolicyConfig& config);

// Parses a whole unsigned decimal number; false on anything else (sign, spaces, overflow).
bool parse_unsigned(const std::string& text, std::uint64_t& out);

}  // namespace mpsim::policies
