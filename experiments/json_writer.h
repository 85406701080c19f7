// A small JSON emitter for reports: keys come out in the order they are written (so output is
// byte-stable), two-space indentation, strings escaped per RFC 8259, doubles in fixed notation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mpsim::experiments {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);  // the next value belongs to this key

  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(std::uint64_t number);
  JsonWriter& value(std::int64_t number);
  JsonWriter& value(std::uint32_t number) { return value(static_cast<std::uint64_t>(number)); }
  JsonWriter& value(int number) { return value(static_cast<std::int64_t>(number)); }
  JsonWriter& value(double number);  // "%.6f" like fio's json floats; NaN/inf become null
  JsonWriter& value(bool flag);
  JsonWriter& null();

  // key + value in one call.
  template <typename T>
  JsonWriter& field(std::string_view name, const T& v) {
    key(name);
    return value(v);
  }

  // The document, ending in a newline. Only valid once every object/array is closed.
  std::string str() const;

 private:
  void before_value();
  void newline();
  void close(char bracket);

  std::string out_;
  std::vector<bool> has_items_;  // per open container
  bool after_key_ = false;
};

std::string format_fixed(double number, int decimals);

}  // namespace mpsim::experiments
