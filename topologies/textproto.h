// Loading human-written text-format protobuf with errors that point into the file.
//
// Every mpsim input (topologies, experiments) is a .textproto. Two kinds of mistakes exist:
//  - syntax: the text is not a valid message (unknown field, missing brace...). parse_textproto()
//    throws InputError "FILE:LINE:COL: message" straight from protobuf's tokenizer/parser;
//  - meaning: the text parses but says something wrong (duplicate name, unknown port...). The
//    validators find these on the parsed message and ask the SourceMap where a field was
//    written, then collect every problem in a Diagnostics so the user sees all of them at once.
//
// Usage:
//   mpsim::topology::Topology topo;
//   SourceMap map = parse_textproto_file(path, topo);      // throws InputError on syntax errors
//   Diagnostics diag;
//   diag.error(map, topo.hosts(1), "name", "duplicate host name \"h0\"");
//   diag.throw_if_any();                                    // "f.textproto:7:3: hosts[1].name: duplicate ..."
//
// Lines and columns are 1-based; protobuf's tokenizer counts a tab as advancing to the next
// multiple of 8 columns.
#pragma once

#include <google/protobuf/message.h>
#include <google/protobuf/text_format.h>

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mpsim::topology {

// Bad user input. what() holds one problem per line, each "FILE:LINE:COL: field.path: message".
class InputError : public std::runtime_error {
 public:
  explicit InputError(std::vector<std::string> problems);
  explicit InputError(const std::string& problem) : InputError(std::vector<std::string>{problem}) {}
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

struct Location {
  int line = 0;    // 1-based
  int column = 0;  // 1-based
};

// Where each field of a parsed message (and of every message nested in it) was written.
// It maps message *addresses* to their parse trees, so ask it about the very object that was
// parsed (or a sub-message reached through it), not a copy. A default-constructed SourceMap
// knows nothing: where() is then just the source name, path() just the field name.
class SourceMap {
 public:
  SourceMap() = default;
  explicit SourceMap(std::string source_name) : source_name_(std::move(source_name)) {}

  // Takes ownership of `tree`, the ParseInfoTree filled while parsing `root`.
  SourceMap(std::string source_name, const google::protobuf::Message& root,
            std::unique_ptr<google::protobuf::TextFormat::ParseInfoTree> tree);

  const std::string& source_name() const { return source_name_; }

  // The location of `field` of `msg` (element `index` if repeated, -1 otherwise). A field that
  // was not written (e.g. a missing required one) locates at the start of `msg` itself.
  std::optional<Location> locate(const google::protobuf::Message& msg, std::string_view field = {},
                                 int index = -1) const;

  // "FILE:LINE:COL", or "FILE" when nothing is known.
  std::string where(const google::protobuf::Message& msg, std::string_view field = {}, int index = -1) const;

  // Field path from the root, e.g. "hosts[1].nics[0].speed" ("hosts[1]" for an empty field).
  std::string path(const google::protobuf::Message& msg, std::string_view field = {}, int index = -1) const;

  // After `root` was edited (--set overrides, an inlined file): indexes every message the parse did
  // not create, under its field path and with no line:col (it was not written in this file), so a
  // problem in it still names its full path ("faults[0].flap.target", not "target").
  void index_edited(const google::protobuf::Message& root);

 private:
  struct Node {
    const google::protobuf::TextFormat::ParseInfoTree* tree = nullptr;
    std::optional<Location> start;  // where the message's field name was written in its parent
    std::string path;               // "" for the root
  };
  void index_message(const google::protobuf::Message& msg, const Node& node);
  const Node* find(const google::protobuf::Message& msg) const;
  void index_added(const google::protobuf::Message& msg, const Node& node);
  void index_added_child(const google::protobuf::Message& child, std::string path);

  std::string source_name_ = "<input>";
  std::shared_ptr<google::protobuf::TextFormat::ParseInfoTree> tree_;  // owns the nested trees
  std::map<const google::protobuf::Message*, Node> nodes_;
};

// The value message of entry `key` of the map field `field` of `msg`, as parsed (the object the
// SourceMap knows, so errors about it are located); nullptr when there is none.
const google::protobuf::Message* find_map_value(const google::protobuf::Message& msg, std::string_view field,
                                                std::string_view key);

class Diagnostics;
// Reports every enum field (at any depth) holding a number that names no value: proto3 enums are
// open, so `state: 77` parses.
void check_enum_values(const google::protobuf::Message& msg, const SourceMap& map, Diagnostics& diag);

// Parses `text` into `msg` (cleared first). Unknown fields and enum numbers without a name are
// errors. Throws InputError "SOURCE:LINE:COL: message" on the first syntax error.
SourceMap parse_textproto(std::string_view text, const std::string& source_name, google::protobuf::Message& msg);

// Reads and parses `path`; an unreadable, special or oversize file is an InputError too, and a
// JSON file gets a hint to use `mpsim topo import`.
SourceMap parse_textproto_file(const std::string& path, google::protobuf::Message& msg);

// Collects every semantic problem of an input so they are reported together, in the order found.
class Diagnostics {
 public:
  // `where` is "FILE:LINE:COL" (or just "FILE"); `field_path` may be empty.
  void add(const std::string& where, const std::string& field_path, const std::string& message);
  // Locates `field` of `msg` through `map` and adds the problem there.
  void error(const SourceMap& map, const google::protobuf::Message& msg, std::string_view field,
             const std::string& message, int index = -1);

  bool empty() const { return problems_.empty(); }
  const std::vector<std::string>& problems() const { return problems_; }
  // Throws one InputError listing every problem, if there is any.
  void throw_if_any() const;

 private:
  std::vector<std::string> problems_;
};

}  // namespace mpsim::topology
