// SIGINT and SIGTERM while a command writes results. SimGrid installs its own SIGINT handler
// (it exits 1, the code of a failed check), and a signal landing between two renames could leave
// half an output; so the commands that write block both signals and one thread waits for them.
// On a signal it marks it pending, waits until no commit is under way (writers check pending()
// between files and give up, removing what they staged), stops the child processes the command
// started, prints what happened to the output and exits with 128 + the signal's number
// (130 for SIGINT, 143 for SIGTERM).
#pragma once

#include <sys/types.h>

#include <functional>
#include <stdexcept>
#include <string>

namespace mpsim::experiments::interrupt {

// Starts the watcher (once; before any other thread). `what_happened()` gives the line printed on
// stderr after "interrupted by SIGINT: ", saying what the output directory holds now.
void install(std::function<std::string()> what_happened);

// The signal received (SIGINT, SIGTERM), 0 if none or install() was not called.
int pending();

// Thrown by a writer that saw pending() between two steps.
class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted") {}
};
inline void throw_if_pending() {
  if (pending() != 0) throw Interrupted();
}

// After catching Interrupted: wait for the watcher to end the process (it holds the exit code).
[[noreturn]] void await_exit();

// While a Commit is alive the watcher does not exit: a writer publishes its output under one,
// so an interrupt comes before the swap (old output kept) or after it (new output whole).
class Commit {
 public:
  Commit();
  ~Commit();
  Commit(const Commit&) = delete;
  Commit& operator=(const Commit&) = delete;
};

// Child processes the watcher stops (with the same signal) and waits for before it exits. Call
// both inside a Commit so no child starts after the watcher has looked.
void track_child(pid_t pid);
void untrack_child(pid_t pid);

// In a forked child before exec: the signals unblocked again (the mask survives exec).
void unblock_in_child();

}  // namespace mpsim::experiments::interrupt
