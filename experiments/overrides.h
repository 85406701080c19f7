// Overrides: "PATH=VALUE" edits of any field of an experiment (or of any protobuf message),
// found through protobuf reflection, so a new proto field is addressable without code here.
//
//   jobs[randread].iodepth=64               a list element by its `name` (or `nqn`) field
//   jobs[0].iodepth=64                      ... or by index
//   topology.connections[*].kato_s=1        every element
//   faults[0].duration=500ms                a string with units: checked as the unit it holds
//   models.media[nand-tlc-gen4].parallelism=32   a map entry by key (created when missing)
//   topology.connections[0].options.kato_s=500ms  a *_s / *_us number also takes a duration
//   faults[0].down={target: "h0.nic0--sw-a"}     a message takes text-format fields
//
// Values are parsed as the field's type; a bad path or value throws OverrideError whose
// message names the path and lists what is valid at that level (fields, element names).
#pragma once

#include <google/protobuf/message.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mpsim::experiments {

class OverrideError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct Override {
  std::string path;
  std::string value;
  std::string text() const { return path + "=" + value; }
};

// "PATH=VALUE" (split at the first '=' outside brackets). Throws OverrideError.
Override parse_override(std::string_view text);
std::vector<Override> parse_overrides(const std::vector<std::string>& texts);

// Sets the field(s) PATH selects in `root` to VALUE. Throws OverrideError (nothing changed then
// only for errors found before the first assignment; callers discard `root` on error).
void apply_override(google::protobuf::Message& root, const Override& o);

// Copies every field set in `defaults` into `target` where `target` does not set it
// (both of the same message type; only fields with presence are considered).
void fill_unset_fields(const google::protobuf::Message& defaults, google::protobuf::Message& target);

}  // namespace mpsim::experiments
