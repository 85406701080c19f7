#include "topologies/file_io.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace mpsim::topology {

namespace {

FileError failure(const std::filesystem::path& path, const char* what, int err) {
  return FileError(path.string() + ": cannot " + what + ": " + std::strerror(err));
}

}  // namespace

std::string read_file(const std::filesystem::path& path, std::uintmax_t max_bytes) {
  // A directory opens and reads as nothing, /dev/zero or a FIFO never ends: only regular files,
  // and only of a size an input can sensibly have.
  std::error_code err;
  const auto status = std::filesystem::status(path, err);
  if (err) throw failure(path, "read", err.value());
  if (std::filesystem::is_directory(status)) throw failure(path, "read", EISDIR);
  if (!std::filesystem::is_regular_file(status)) {
    throw FileError(path.string() + ": cannot read: not a regular file (a device, FIFO or socket)");
  }
  const std::uintmax_t size = std::filesystem::file_size(path, err);
  if (!err && size > max_bytes) {
    throw FileError(path.string() + ": cannot read: " + std::to_string(size) + " bytes is over the limit of " +
                    std::to_string(max_bytes) + " bytes for this input");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw failure(path, "read", errno);
  std::ostringstream text;
  text << in.rdbuf();
  // An empty file leaves rdbuf() with nothing to copy, which sets failbit on `text`: not an error.
  if (in.bad()) throw failure(path, "read", errno);
  return text.str();
}

void write_file_atomic(const std::filesystem::path& path, std::string_view text) {
  // The pid keeps two processes writing the same file from sharing one temporary.
  std::filesystem::path tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw failure(path, "write", errno);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    if (!out) {
      int err = errno;
      std::filesystem::remove(tmp);
      throw failure(path, "write", err);
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    std::filesystem::remove(tmp);
    throw failure(path, "write", err);
  }
}

}  // namespace mpsim::topology
