// Building a JSON report in the order it is read: begin_object / key / value / end_object calls
// fill an nlohmann document (topologies/json.h), printed with the reports' layout (two-space
// indentation, keys in written order, doubles in fio's "%.6f", NaN/inf as null). The writer only
// keeps track of where the next value goes; nlohmann holds, escapes and prints the document.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "topologies/json.h"

namespace mpsim::experiments {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);  // the next value belongs to this key

  JsonWriter& value(std::string_view text) { return add(std::string(text)); }
  JsonWriter& value(const char* text) { return add(std::string(text)); }
  JsonWriter& value(std::uint64_t number) { return add(number); }
  JsonWriter& value(std::int64_t number) { return add(number); }
  JsonWriter& value(std::uint32_t number) { return add(std::uint64_t{number}); }
  JsonWriter& value(int number) { return add(std::int64_t{number}); }
  JsonWriter& value(double number) { return add(number); }  // "%.6f" like fio's json floats; NaN/inf become null
  JsonWriter& value(bool flag) { return add(flag); }
  JsonWriter& null() { return add(nullptr); }

  // key + value in one call.
  template <typename T>
  JsonWriter& field(std::string_view name, const T& v) {
    key(name);
    return value(v);
  }

  // The document, ending in a newline. Only valid once every object/array is closed.
  std::string str() const;

 private:
  JsonWriter& add(topology::Json v) {
    place(std::move(v));
    return *this;
  }
  topology::Json* place(topology::Json v);  // where the next value goes: the root, after a key, or in an array
  void close(bool object);

  topology::Json root_;
  std::vector<topology::Json*> open_;  // the containers begun and not yet ended, innermost last
  std::optional<std::string> key_;
};

std::string format_fixed(double number, int decimals);

}  // namespace mpsim::experiments
