// PATH=VALUE through protobuf reflection: walk the path one segment at a time, selecting list
// elements by index, key or '*', and parse the value by the leaf field's type.
#include "experiments/overrides.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

#include "topologies/units.h"

namespace mpsim::experiments {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

struct Segment {
  std::string field;
  std::optional<std::string> selector;  // inside [...]: "*", an index, or a name/key
  std::string text;                     // as written, for messages
};

[[noreturn]] void fail(const Override& o, const std::string& why) { throw OverrideError("--set " + o.text() + ": " + why); }

std::vector<Segment> split_path(const Override& o) {
  std::vector<Segment> out;
  std::string_view p = o.path;
  if (p.empty()) fail(o, "empty path");
  if (p.back() == '.') fail(o, "the path ends with '.'");
  while (!p.empty()) {
    Segment s;
    std::size_t i = 0;
    while (i < p.size() && p[i] != '.' && p[i] != '[') ++i;
    s.field = std::string(p.substr(0, i));
    if (s.field.empty()) fail(o, "empty field name in the path");
    if (i < p.size() && p[i] == '[') {
      std::size_t close = p.find(']', i);
      if (close == std::string_view::npos) fail(o, "'[' without ']'");
      s.selector = std::string(p.substr(i + 1, close - i - 1));
      if (s.selector->empty()) fail(o, "empty [] after \"" + s.field + "\": give an index, a name or *");
      i = close + 1;
    }
    s.text = std::string(p.substr(0, i));
    if (i < p.size() && p[i] != '.') fail(o, "expected '.' after \"" + s.text + "\"");
    out.push_back(std::move(s));
    p.remove_prefix(std::min(p.size(), i + 1));
  }
  return out;
}

std::string field_list(const Descriptor* d) {
  std::string out;
  for (int i = 0; i < d->field_count(); ++i) out += (i ? ", " : "") + d->field(i)->name();
  return out;
}

// The field that names a list element: `name`, else `nqn`, else `host` (string fields).
const FieldDescriptor* key_field(const Descriptor* d) {
  if (d->options().map_entry()) return d->FindFieldByName("key");
  for (const char* name : {"name", "nqn", "host"}) {
    const FieldDescriptor* f = d->FindFieldByName(name);
    if (f && f->cpp_type() == FieldDescriptor::CPPTYPE_STRING && !f->is_repeated()) return f;
  }
  return nullptr;
}

std::optional<int> as_index(const std::string& s) {
  int v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

// Indices of the elements `selector` picks in repeated `f` of `msg`.
std::vector<int> select(const Override& o, Message& msg, const FieldDescriptor* f, const Segment& s) {
  const Reflection* r = msg.GetReflection();
  int n = r->FieldSize(msg, f);
  if (*s.selector == "*") {
    if (n == 0) fail(o, "\"" + s.text + "\" selects nothing: " + f->name() + " is empty");
    std::vector<int> all(n);
    for (int i = 0; i < n; ++i) all[i] = i;
    return all;
  }
  if (auto idx = as_index(*s.selector)) {
    if (*idx >= n) fail(o, "index " + *s.selector + " is out of range: " + f->name() + " has " + std::to_string(n) +
                               " element(s)" + (n ? " (0.." + std::to_string(n - 1) + ")" : ""));
    return {*idx};
  }
  const FieldDescriptor* key = f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE ? key_field(f->message_type()) : nullptr;
  if (!key) fail(o, f->name() + " has no names: select an element by index (0.." + std::to_string(n - 1) + ") or *");
  std::string names;
  for (int i = 0; i < n; ++i) {
    const Message& e = r->GetRepeatedMessage(msg, f, i);
    std::string k = e.GetReflection()->GetString(e, key);
    if (k == *s.selector) return {i};
    names += (i ? ", " : "") + k;
  }
  if (f->is_map()) {  // a new map entry: models.media[new-drive].parallelism=4
    Message* e = r->AddMessage(&msg, f);
    e->GetReflection()->SetString(e, key, *s.selector);
    return {n};
  }
  fail(o, "no element of " + f->name() + " has " + key->name() + " \"" + *s.selector + "\"" +
              (n ? "; there are: " + names : "; the list is empty") + " (or use an index or *)");
}

enum class Unit { kNone, kDuration, kSize, kBandwidth };

// Which unit a string field holds, by the names the experiment and topology schemas use.
Unit unit_of(const FieldDescriptor* f) {
  static const std::vector<std::pair<std::string_view, Unit>> kUnits = {
      {"at", Unit::kDuration},         {"duration", Unit::kDuration},   {"runtime", Unit::kDuration},
      {"ramp_time", Unit::kDuration},  {"start_delay", Unit::kDuration}, {"period", Unit::kDuration},
      {"transition", Unit::kDuration}, {"timeline_interval", Unit::kDuration},
      {"bs", Unit::kSize},             {"size", Unit::kSize},
      {"speed", Unit::kBandwidth},     {"bandwidth", Unit::kBandwidth}, {"read_bandwidth", Unit::kBandwidth},
      {"write_bandwidth", Unit::kBandwidth}};
  for (const auto& [name, unit] : kUnits) {
    if (f->name() == name) return unit;
  }
  return Unit::kNone;
}

template <typename T>
T parse_integer(const Override& o, const FieldDescriptor* f) {
  T v{};
  const std::string& s = o.value;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty())
    fail(o, f->name() + " is an integer (" + f->cpp_type_name() + "): \"" + s + "\" is not one");
  return v;
}

double parse_real(const Override& o, const FieldDescriptor* f) {
  const std::string& s = o.value;
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc() && ptr == s.data() + s.size() && !s.empty() && std::isfinite(v)) return v;
  // kato_s=500ms, latency_us=2ms: a number field in seconds or microseconds also takes a duration.
  const std::string& name = f->name();
  auto ends_with = [&](std::string_view suffix) {
    return name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  double per_ns = ends_with("_s") ? 1e-9 : ends_with("_us") ? 1e-3 : 0;
  if (per_ns > 0) {
    try {
      return static_cast<double>(topology::parse_duration(s)) * per_ns;
    } catch (const std::invalid_argument&) {
    }
  }
  fail(o, name + " is a number" + std::string(per_ns > 0 ? " (or a duration such as 500ms)" : "") + ": \"" + s +
              "\" is not one");
}

void check_units(const Override& o, const FieldDescriptor* f) {
  try {
    switch (unit_of(f)) {
      case Unit::kDuration: topology::parse_duration(o.value); break;
      case Unit::kSize: topology::parse_size(o.value); break;
      case Unit::kBandwidth: topology::parse_bandwidth(o.value); break;
      case Unit::kNone: break;
    }
  } catch (const std::invalid_argument& e) {
    fail(o, f->name() + ": " + e.what());
  }
}

bool parse_bool(const Override& o, const FieldDescriptor* f) {
  if (o.value == "true" || o.value == "1") return true;
  if (o.value == "false" || o.value == "0") return false;
  fail(o, f->name() + " is true or false, not \"" + o.value + "\"");
}

const google::protobuf::EnumValueDescriptor* parse_enum(const Override& o, const FieldDescriptor* f) {
  const google::protobuf::EnumDescriptor* e = f->enum_type();
  std::string upper = o.value;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  std::replace(upper.begin(), upper.end(), '-', '_');
  if (const auto* v = e->FindValueByName(upper)) return v;
  std::string names;
  for (int i = 0; i < e->value_count(); ++i) names += (i ? ", " : "") + e->value(i)->name();
  fail(o, f->name() + " is one of " + names + ", not \"" + o.value + "\"");
}

// Sets a singular field, or element `index` of a repeated one (-1: append).
void set_value(const Override& o, Message& msg, const FieldDescriptor* f, int index) {
  const Reflection* r = msg.GetReflection();
  bool rep = f->is_repeated();
  auto put = [&](auto set, auto set_rep, auto add, auto v) {
    if (!rep) (r->*set)(&msg, f, v);
    else if (index < 0) (r->*add)(&msg, f, v);
    else (r->*set_rep)(&msg, f, index, v);
  };
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      put(&Reflection::SetInt32, &Reflection::SetRepeatedInt32, &Reflection::AddInt32, parse_integer<std::int32_t>(o, f));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      put(&Reflection::SetInt64, &Reflection::SetRepeatedInt64, &Reflection::AddInt64, parse_integer<std::int64_t>(o, f));
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      put(&Reflection::SetUInt32, &Reflection::SetRepeatedUInt32, &Reflection::AddUInt32, parse_integer<std::uint32_t>(o, f));
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      put(&Reflection::SetUInt64, &Reflection::SetRepeatedUInt64, &Reflection::AddUInt64, parse_integer<std::uint64_t>(o, f));
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      put(&Reflection::SetDouble, &Reflection::SetRepeatedDouble, &Reflection::AddDouble, parse_real(o, f));
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      put(&Reflection::SetFloat, &Reflection::SetRepeatedFloat, &Reflection::AddFloat,
          static_cast<float>(parse_real(o, f)));
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      put(&Reflection::SetBool, &Reflection::SetRepeatedBool, &Reflection::AddBool, parse_bool(o, f));
      break;
    case FieldDescriptor::CPPTYPE_ENUM:
      put(&Reflection::SetEnum, &Reflection::SetRepeatedEnum, &Reflection::AddEnum, parse_enum(o, f));
      break;
    case FieldDescriptor::CPPTYPE_STRING:
      check_units(o, f);
      put(&Reflection::SetString, &Reflection::SetRepeatedString, &Reflection::AddString, o.value);
      break;
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      Message* target = !rep ? r->MutableMessage(&msg, f)
                             : index < 0 ? r->AddMessage(&msg, f) : r->MutableRepeatedMessage(&msg, f, index);
      std::string text = o.value;
      if (text.size() >= 2 && text.front() == '{' && text.back() == '}') text = text.substr(1, text.size() - 2);
      target->Clear();
      if (!google::protobuf::TextFormat::ParseFromString(text, target))
        fail(o, f->name() + " is a " + f->message_type()->name() + " message: \"" + o.value +
                    "\" is not one in text format (fields: " + field_list(f->message_type()) + ")");
      break;
    }
  }
}

void apply_at(const Override& o, Message& msg, const std::vector<Segment>& path, std::size_t depth) {
  const Segment& s = path[depth];
  const Descriptor* d = msg.GetDescriptor();
  const FieldDescriptor* f = d->FindFieldByName(s.field);
  std::string where = depth == 0 ? "the experiment" : "\"" + path[depth - 1].text + "\"";
  if (!f) fail(o, "no field \"" + s.field + "\" in " + where + " (a " + d->name() + "); its fields: " + field_list(d));
  bool last = depth + 1 == path.size();
  if (s.selector && !f->is_repeated()) fail(o, f->name() + " is not a list: drop the [" + *s.selector + "]");
  if (!last && f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE)
    fail(o, f->name() + " is a " + f->cpp_type_name() + ", it has no field \"" + path[depth + 1].field + "\"");
  const Reflection* r = msg.GetReflection();
  if (!f->is_repeated()) {
    if (last) return set_value(o, msg, f, -1);
    return apply_at(o, *r->MutableMessage(&msg, f), path, depth + 1);
  }
  if (!s.selector) {
    if (!last) fail(o, f->name() + " is a list: select elements with [index], [name] or [*]");
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE)
      fail(o, f->name() + " is a list of " + f->message_type()->name() + ": set an element's fields, e.g. " +
                  f->name() + "[0].<field>");
    r->ClearField(&msg, f);  // ports=a,b replaces the list
    std::string_view rest = o.value;
    while (true) {
      std::size_t comma = rest.find(',');
      Override one{o.path, std::string(rest.substr(0, comma))};
      set_value(one, msg, f, -1);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    return;
  }
  for (int i : select(o, msg, f, s)) {
    if (last) {
      if (f->is_map()) fail(o, "set a field of the entry: " + s.text + ".<field>");
      set_value(o, msg, f, i);
    } else {
      Message* element = r->MutableRepeatedMessage(&msg, f, i);
      if (f->is_map()) element = element->GetReflection()->MutableMessage(element, element->GetDescriptor()->FindFieldByName("value"));
      apply_at(o, *element, path, depth + 1);
    }
  }
}

}  // namespace

Override parse_override(std::string_view text) {
  int depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '[') ++depth;
    else if (text[i] == ']') --depth;
    else if (text[i] == '=' && depth == 0) {
      Override o{std::string(text.substr(0, i)), std::string(text.substr(i + 1))};
      if (o.path.empty()) throw OverrideError("--set " + std::string(text) + ": empty path before '='");
      return o;
    }
  }
  throw OverrideError("--set " + std::string(text) + ": expected PATH=VALUE, e.g. jobs[0].iodepth=64");
}

std::vector<Override> parse_overrides(const std::vector<std::string>& texts) {
  std::vector<Override> out;
  for (const std::string& t : texts) out.push_back(parse_override(t));
  return out;
}

void apply_override(Message& root, const Override& o) { apply_at(o, root, split_path(o), 0); }

void fill_unset_fields(const Message& defaults, Message& target) {
  const Reflection* dr = defaults.GetReflection();
  const Reflection* tr = target.GetReflection();
  std::vector<const FieldDescriptor*> set;
  dr->ListFields(defaults, &set);
  for (const FieldDescriptor* f : set) {
    if (f->is_repeated() || !f->has_presence() || tr->HasField(target, f)) continue;
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32: tr->SetInt32(&target, f, dr->GetInt32(defaults, f)); break;
      case FieldDescriptor::CPPTYPE_INT64: tr->SetInt64(&target, f, dr->GetInt64(defaults, f)); break;
      case FieldDescriptor::CPPTYPE_UINT32: tr->SetUInt32(&target, f, dr->GetUInt32(defaults, f)); break;
      case FieldDescriptor::CPPTYPE_UINT64: tr->SetUInt64(&target, f, dr->GetUInt64(defaults, f)); break;
      case FieldDescriptor::CPPTYPE_DOUBLE: tr->SetDouble(&target, f, dr->GetDouble(defaults, f)); break;
      case FieldDescriptor::CPPTYPE_FLOAT: tr->SetFloat(&target, f, dr->GetFloat(defaults, f)); break;
      case FieldDescriptor::CPPTYPE_BOOL: tr->SetBool(&target, f, dr->GetBool(defaults, f)); break;
      case FieldDescriptor::CPPTYPE_ENUM: tr->SetEnum(&target, f, dr->GetEnum(defaults, f)); break;
      case FieldDescriptor::CPPTYPE_STRING: tr->SetString(&target, f, dr->GetString(defaults, f)); break;
      case FieldDescriptor::CPPTYPE_MESSAGE: tr->MutableMessage(&target, f)->CopyFrom(dr->GetMessage(defaults, f)); break;
    }
  }
}

}  // namespace mpsim::experiments
