#include "topologies/textproto.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/tokenizer.h>

#include "topologies/file_io.h"
#include "topologies/units.h"

namespace mpsim::topology {

namespace pb = google::protobuf;
using ParseInfoTree = pb::TextFormat::ParseInfoTree;

namespace {

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) {
    if (!out.empty()) out += '\n';
    out += line;
  }
  return out;
}

std::optional<Location> to_location(const pb::TextFormat::ParseLocation& loc) {
  if (loc.line < 0) return std::nullopt;
  return Location{loc.line + 1, loc.column + 1};
}

std::string element_path(const std::string& parent, std::string_view field, int index) {
  std::string out = parent;
  if (field.empty()) return out;
  if (!out.empty()) out += '.';
  out += field;
  if (index >= 0) {
    out += '[';
    out += std::to_string(index);
    out += ']';
  }
  return out;
}

// Records syntax errors from the parser with the source name in front.
class Collector : public pb::io::ErrorCollector {
 public:
  explicit Collector(const std::string& source) : source_(source) {}
  void AddError(int line, pb::io::ColumnNumber column, const std::string& raw) override {
    // The tokenizer names the unexpected token; at the end of the input that name is empty.
    std::string message = raw;
    if (message.size() >= 5 && message.compare(message.size() - 5, 5, "got: ") == 0) message += "end of file";
    if (line < 0) {
      errors_.push_back(source_ + ": " + message);
    } else {
      errors_.push_back(source_ + ":" + std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message);
    }
  }
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  std::string source_;
  std::vector<std::string> errors_;
};

}  // namespace

InputError::InputError(std::vector<std::string> problems)
    : std::runtime_error(join_lines(problems)), problems_(std::move(problems)) {}

namespace {

// A map entry's key as written in a field path: ["name"] for a string key, its index otherwise.
std::string map_key_text(const pb::Message& entry, const pb::FieldDescriptor* key_fd, int index) {
  if (key_fd->cpp_type() != pb::FieldDescriptor::CPPTYPE_STRING) return std::to_string(index);
  std::string key(1, '"');  // step by step: GCC 12 warns falsely on "\"" + s
  key.append(entry.GetReflection()->GetString(entry, key_fd));
  key.push_back('"');
  return key;
}

// A message-typed value set in a message: a singular field's (index -1), element `index` of a
// repeated field, or the value of entry `index` of a map field (map_value); `path` names it.
struct SubMessage {
  const pb::Message& msg;
  const pb::FieldDescriptor* field;
  int index;
  bool map_value;
  std::string path;
};

// Calls visit(const SubMessage&) for each, in field order; a map value's path is field["key"]
// (the repeated view of a map is in parse order right after parsing).
template <class Visit>
void for_each_sub_message(const pb::Message& msg, const std::string& path, Visit visit) {
  const pb::Reflection* refl = msg.GetReflection();
  std::vector<const pb::FieldDescriptor*> fields;
  refl->ListFields(msg, &fields);
  for (const pb::FieldDescriptor* field : fields) {
    if (field->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (field->is_map()) {
      const pb::FieldDescriptor* key_fd = field->message_type()->map_key();
      const pb::FieldDescriptor* value_fd = field->message_type()->map_value();
      if (value_fd->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) continue;
      for (int i = 0; i < refl->FieldSize(msg, field); ++i) {
        const pb::Message& entry = refl->GetRepeatedMessage(msg, field, i);
        visit(SubMessage{entry.GetReflection()->GetMessage(entry, value_fd), field, i, true,
                         element_path(path, field->name(), -1) + "[" + map_key_text(entry, key_fd, i) + "]"});
      }
    } else if (field->is_repeated()) {
      for (int i = 0; i < refl->FieldSize(msg, field); ++i)
        visit(SubMessage{refl->GetRepeatedMessage(msg, field, i), field, i, false, element_path(path, field->name(), i)});
    } else {
      visit(SubMessage{refl->GetMessage(msg, field), field, -1, false, element_path(path, field->name(), -1)});
    }
  }
}

}  // namespace

SourceMap::SourceMap(std::string source_name, const pb::Message& root, std::unique_ptr<ParseInfoTree> tree)
    : source_name_(std::move(source_name)), tree_(std::move(tree)) {
  Node root_node;
  root_node.tree = tree_.get();
  root_node.start = Location{1, 1};
  index_message(root, root_node);
}

// Walks the message and its parse tree side by side, so any sub-message found later by
// pointer leads back to the tree that knows where its fields were written. A map value's tree is
// its entry's; it is located where the value was written, else at its entry.
void SourceMap::index_message(const pb::Message& msg, const Node& node) {
  nodes_[&msg] = node;
  for_each_sub_message(msg, node.path, [&](const SubMessage& sub) {
    Node child;
    child.path = sub.path;
    if (!sub.map_value) {
      child.tree = node.tree ? node.tree->GetTreeForNested(sub.field, sub.index) : nullptr;
      child.start = node.tree ? to_location(node.tree->GetLocation(sub.field, sub.index)) : node.start;
    } else {
      const pb::FieldDescriptor* value_fd = sub.field->message_type()->map_value();
      const ParseInfoTree* entry_tree = node.tree ? node.tree->GetTreeForNested(sub.field, sub.index) : nullptr;
      child.tree = entry_tree ? entry_tree->GetTreeForNested(value_fd, -1) : nullptr;
      child.start = entry_tree ? to_location(entry_tree->GetLocation(value_fd, -1)) : std::nullopt;
      if (!child.start && node.tree) child.start = to_location(node.tree->GetLocation(sub.field, sub.index));
      if (!child.start) child.start = node.start;
    }
    index_message(sub.msg, child);
  });
}

void SourceMap::index_edited(const pb::Message& root) {
  const Node* known = find(root);
  index_added(root, known ? *known : Node{});
}

// Walks the edited message: a sub-message known at its old path keeps its node (and its parse
// tree); one that is new, or whose address now holds another field's message, gets its path only.
void SourceMap::index_added(const pb::Message& msg, const Node& node) {
  nodes_[&msg] = node;
  for_each_sub_message(msg, node.path, [&](const SubMessage& sub) { index_added_child(sub.msg, sub.path); });
}

void SourceMap::index_added_child(const pb::Message& child, std::string path) {
  const Node* known = find(child);
  if (known && known->path == path) {
    index_added(child, *known);
    return;
  }
  Node fresh;
  fresh.path = std::move(path);
  index_added(child, fresh);
}

const SourceMap::Node* SourceMap::find(const pb::Message& msg) const {
  auto it = nodes_.find(&msg);
  return it == nodes_.end() ? nullptr : &it->second;
}

std::optional<Location> SourceMap::locate(const pb::Message& msg, std::string_view field, int index) const {
  const Node* node = find(msg);
  if (!node) return std::nullopt;
  if (!field.empty() && node->tree) {
    const pb::FieldDescriptor* fd = msg.GetDescriptor()->FindFieldByName(std::string(field));
    if (fd) {
      int i = fd->is_repeated() ? std::max(index, 0) : -1;
      if (auto loc = to_location(node->tree->GetLocation(fd, i))) return loc;
    }
  }
  return node->start;
}

std::string SourceMap::where(const pb::Message& msg, std::string_view field, int index) const {
  auto loc = locate(msg, field, index);
  if (!loc) return source_name_;
  return source_name_ + ":" + std::to_string(loc->line) + ":" + std::to_string(loc->column);
}

std::string SourceMap::path(const pb::Message& msg, std::string_view field, int index) const {
  const Node* node = find(msg);
  return element_path(node ? node->path : std::string(), field, index);
}

const pb::Message* find_map_value(const pb::Message& msg, std::string_view field, std::string_view key) {
  const pb::FieldDescriptor* fd = msg.GetDescriptor()->FindFieldByName(std::string(field));
  if (!fd || !fd->is_map()) return nullptr;
  const pb::FieldDescriptor* key_fd = fd->message_type()->map_key();
  const pb::FieldDescriptor* value_fd = fd->message_type()->map_value();
  if (key_fd->cpp_type() != pb::FieldDescriptor::CPPTYPE_STRING ||
      value_fd->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) {
    return nullptr;
  }
  const pb::Reflection* refl = msg.GetReflection();
  const pb::Message* found = nullptr;
  for (int i = 0; i < refl->FieldSize(msg, fd); ++i) {  // the last entry of a key is the one kept
    const pb::Message& entry = refl->GetRepeatedMessage(msg, fd, i);
    if (entry.GetReflection()->GetString(entry, key_fd) == key) found = &entry.GetReflection()->GetMessage(entry, value_fd);
  }
  return found;
}

namespace {

std::string enum_names(const pb::EnumDescriptor* type) {
  std::string out;
  for (int i = 0; i < type->value_count(); ++i) out += (i ? ", " : "") + type->value(i)->name();
  return out;
}

void check_enum(const pb::Message& msg, const pb::FieldDescriptor* field, int value, int index, const SourceMap& map,
                Diagnostics& diag) {
  if (field->enum_type()->FindValueByNumber(value)) return;
  diag.error(map, msg, field->name(),
             std::to_string(value) + " is not a " + field->name() + " (" + field->enum_type()->name() +
                 "): use one of " + enum_names(field->enum_type()),
             index);
}

}  // namespace

// proto3 enums are open: `state: 77` parses. Every enum of every (nested) message is checked.
void check_enum_values(const pb::Message& msg, const SourceMap& map, Diagnostics& diag) {
  const pb::Reflection* refl = msg.GetReflection();
  std::vector<const pb::FieldDescriptor*> fields;
  refl->ListFields(msg, &fields);
  for (const pb::FieldDescriptor* field : fields) {
    if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_ENUM) {
      if (!field->is_repeated()) {
        check_enum(msg, field, refl->GetEnumValue(msg, field), -1, map, diag);
      } else {
        for (int i = 0; i < refl->FieldSize(msg, field); ++i) {
          check_enum(msg, field, refl->GetRepeatedEnumValue(msg, field, i), i, map, diag);
        }
      }
    } else if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_map()) {
        const pb::FieldDescriptor* value_fd = field->message_type()->map_value();
        if (value_fd->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) continue;
        for (int i = 0; i < refl->FieldSize(msg, field); ++i) {
          const pb::Message& entry = refl->GetRepeatedMessage(msg, field, i);
          check_enum_values(entry.GetReflection()->GetMessage(entry, value_fd), map, diag);
        }
      } else if (field->is_repeated()) {
        for (int i = 0; i < refl->FieldSize(msg, field); ++i) check_enum_values(refl->GetRepeatedMessage(msg, field, i), map, diag);
      } else {
        check_enum_values(refl->GetMessage(msg, field), map, diag);
      }
    }
  }
}

SourceMap parse_textproto(std::string_view text, const std::string& source_name, pb::Message& msg) {
  msg.Clear();
  Collector collector(source_name);
  auto tree = std::make_unique<ParseInfoTree>();
  pb::TextFormat::Parser parser;
  parser.RecordErrorsTo(&collector);
  parser.WriteLocationsTo(tree.get());
  if (!parser.ParseFromString(std::string(text), &msg)) {
    msg.Clear();
    if (collector.errors().empty()) throw InputError(source_name + ": not a valid " + msg.GetTypeName());
    throw InputError(collector.errors());
  }
  SourceMap map(source_name, msg, std::move(tree));
  Diagnostics diag;
  check_enum_values(msg, map, diag);
  if (!diag.empty()) {
    msg.Clear();
    diag.throw_if_any();
  }
  return map;
}

SourceMap parse_textproto_file(const std::string& path, pb::Message& msg) {
  std::string text;
  try {
    text = read_file(path, limits::kMaxInputFileBytes);
  } catch (const FileError& e) {
    throw InputError(e.what());
  }
  try {
    return parse_textproto(text, path, msg);
  } catch (const InputError& e) {
    // JSON (an nvmetcli save file, most likely) fails on its first brace: say what to do instead.
    const std::size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos || text[first] != '{') throw;
    std::vector<std::string> problems = e.problems();
    problems.push_back(path + ": this looks like JSON, not a text-format file; an nvmetcli save file is converted with "
                              "`mpsim topo import --nvmetcli " + path + "`");
    throw InputError(problems);
  }
}

void Diagnostics::add(const std::string& where, const std::string& field_path, const std::string& message) {
  std::string line = where + ": ";
  if (!field_path.empty()) line += field_path + ": ";
  problems_.push_back(line + message);
}

void Diagnostics::error(const SourceMap& map, const pb::Message& msg, std::string_view field,
                        const std::string& message, int index) {
  add(map.where(msg, field, index), map.path(msg, field, index), message);
}

void Diagnostics::throw_if_any() const {
  if (!problems_.empty()) throw InputError(problems_);
}

}  // namespace mpsim::topology
