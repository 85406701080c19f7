// Reading and writing whole files: the one place every layer (and the tests) does file IO, so a
// failure always names the path and the reason, and a failed write never leaves half a file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mpsim::topology {

// A file could not be read or written; what() is "PATH: cannot read: REASON" (or write).
class FileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The whole file, bytes as stored. Throws FileError, also for anything but a regular file (a
// directory, /dev/zero, a FIFO) and for a file over `max_bytes` (inputs a user writes pass
// limits::kMaxInputFileBytes; files mpsim wrote itself, such as fio logs, are not bounded).
std::string read_file(const std::filesystem::path& path, std::uintmax_t max_bytes = UINTMAX_MAX);

// Writes `text` to a temporary file beside `path` and renames it over `path`, so readers see the
// old file or the new one, never a partial one. Throws FileError (and leaves no temporary behind).
void write_file_atomic(const std::filesystem::path& path, std::string_view text);

}  // namespace mpsim::topology
