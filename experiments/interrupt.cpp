#include "experiments/interrupt.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

namespace mpsim::experiments::interrupt {
namespace {

std::atomic<int> g_pending{0};
std::recursive_mutex g_commit;  // recursive: a commit may start children under an outer one
std::set<pid_t> g_children;     // guarded by g_commit
std::function<std::string()> g_what_happened;

sigset_t watched() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

[[noreturn]] void finish(int sig) {
  g_commit.lock();  // never released: the process ends here, after any commit under way
  for (pid_t pid : g_children) ::kill(pid, sig);
  for (pid_t pid : g_children) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  std::string line = std::string("mpsim: interrupted by ") + (sig == SIGINT ? "SIGINT" : "SIGTERM");
  if (g_what_happened) line += ": " + g_what_happened();
  line += "\n";
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
  ::_exit(128 + sig);
}

void watch() {
  sigset_t set = watched();
  for (;;) {
    int sig = 0;
    if (::sigwait(&set, &sig) != 0) continue;
    g_pending.store(sig);
    finish(sig);
  }
}

}  // namespace

void install(std::function<std::string()> what_happened) {
  static std::once_flag once;
  std::call_once(once, [&] {
    g_what_happened = std::move(what_happened);
    // A file-size limit (ulimit -f) then fails the write (EFBIG) like a full disk, with the
    // writers' message and the previous output kept, instead of killing the process mid-file.
    ::signal(SIGXFSZ, SIG_IGN);
    sigset_t set = watched();
    ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread(watch).detach();
  });
}

int pending() { return g_pending.load(); }

void await_exit() {
  for (;;) ::pause();  // every signal it could wake for is blocked: the watcher's _exit ends it
}

Commit::Commit() { g_commit.lock(); }
Commit::~Commit() { g_commit.unlock(); }

void track_child(pid_t pid) {
  std::lock_guard lock(g_commit);
  g_children.insert(pid);
}

void untrack_child(pid_t pid) {
  std::lock_guard lock(g_commit);
  g_children.erase(pid);
}

void unblock_in_child() {
  sigset_t set = watched();
  ::pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

}  // namespace mpsim::experiments::interrupt
