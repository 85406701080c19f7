#include "experiments/json_writer.h"

#include <cstdio>
#include <stdexcept>

namespace mpsim::experiments {

std::string format_fixed(double number, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, number);
  return buf;
}

topology::Json* JsonWriter::place(topology::Json v) {
  if (open_.empty()) {
    if (!root_.is_null()) throw std::logic_error("JsonWriter: a second root value");
    root_ = std::move(v);
    return &root_;
  }
  topology::Json& container = *open_.back();
  if (container.is_array()) {
    container.push_back(std::move(v));
    return &container.back();
  }
  if (!key_) throw std::logic_error("JsonWriter: a value in an object without a key");
  topology::Json& slot = container[*key_];
  key_.reset();
  slot = std::move(v);
  return &slot;
}

JsonWriter& JsonWriter::begin_object() {
  open_.push_back(place(topology::Json::object()));
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  open_.push_back(place(topology::Json::array()));
  return *this;
}

void JsonWriter::close(bool object) {
  if (open_.empty() || open_.back()->is_object() != object) {
    throw std::logic_error("JsonWriter: closing a container never opened");
  }
  if (key_) throw std::logic_error("JsonWriter: a key without a value");
  open_.pop_back();
}

JsonWriter& JsonWriter::end_object() {
  close(true);
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  close(false);
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  if (open_.empty() || !open_.back()->is_object()) throw std::logic_error("JsonWriter: a key outside an object");
  if (key_) throw std::logic_error("JsonWriter: two keys in a row");
  key_ = std::string(name);
  return *this;
}

std::string JsonWriter::str() const {
  if (!open_.empty()) throw std::logic_error("JsonWriter: unclosed object or array");
  return topology::dump_json(root_, topology::kReportJson);
}

}  // namespace mpsim::experiments
