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

std::string read_file(const std::filesystem::path& path) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) throw failure(path, "read", EISDIR);  // opens, reads nothing
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
