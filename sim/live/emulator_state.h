// Emulator's inner records, shared by emulator.cpp and fault_driver.cpp.
#pragma once

#include "sim/live/emulator.h"

namespace mpsim::live {

struct Emulator::Conn {
  int fd = -1;
  ConnId id = 0;
  std::uint32_t port = 0;
  std::unique_ptr<Session> session;
  bool doomed = false;          // the target dropped it while its port was silent: closed at port up
  std::string doom_reason;
  std::uint32_t interest = 0;   // epoll events registered
};

struct Emulator::PortRuntime {
  int listen_fd = -1;
  int downs = 0;                // overlapping down faults: up again when the last one ends
  bool silent = false;          // black hole: nothing read, nothing sent, connections stay
};

// Output above this stops reading from the connection until the host has taken it.
inline constexpr std::size_t kOutputHighWater = 2 * TargetLimits::kMaxTransfer + 4096;

}  // namespace mpsim::live
