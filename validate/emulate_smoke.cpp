#include "validate/emulate_smoke.h"

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <memory>

namespace mpsim::validate {

namespace {
std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}
}  // namespace

bool run_emulate_smoke(const std::string& source_dir, const std::string& results_dir, std::ostream& out) {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();  // this mpsim
  const std::string script = (std::filesystem::path(source_dir) / "validate/emulate/guest-proof.sh").string();
  const std::string command = "MPSIM_BIN=" + quoted(self) + " bash " + quoted(script) + " " + quoted(results_dir) + " 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return false;
  char line[4096];
  while (std::fgets(line, sizeof line, pipe.get())) out << line << std::flush;
  const int status = pclose(pipe.release());
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace mpsim::validate
