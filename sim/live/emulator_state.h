// Emulator's inner records, shared by emulator.cpp, emulator_loop.cpp and fault_driver.cpp.
#pragma once

#include <liburing.h>

#include "sim/live/emulator.h"

namespace mpsim::live {

struct Emulator::Conn {
  int fd = -1;
  ConnId id = 0;
  std::uint32_t port = 0;
  std::unique_ptr<Session> session;
  bool doomed = false;          // the target dropped it while its port was silent: closed at port up
  std::string doom_reason;
  // The ring's operations on this connection. Their buffers belong to the kernel until their
  // completion arrives, so a closed connection stays here (closing) until none is in flight.
  std::unique_ptr<std::uint8_t[]> rbuf;  // kRecvBuffer bytes: the one recv in flight writes here
  Bytes sending;                // the one send in flight reads from here; the session appends to its own output
  std::size_t sent = 0;         // of `sending`, already taken by the kernel
  bool recv_armed = false, send_armed = false;
  bool closing = false;         // shut down and closed: freed when nothing is in flight
  Bytes held_input;             // bytes a recv returned after the port went silent: fed in at port up
  // A `loss` fault on the port (emulator_loss.cpp): each direction's lost data and what waits behind it.
  LossyStream loss_out, loss_in;  // to the host: `sending` waits; from the host: `held_behind_loss` waits
  Bytes held_behind_loss;
  std::size_t out_seen = 0;     // session output already seen behind a lost send
};

struct Emulator::PortRuntime {
  int listen_fd = -1;
  bool accept_armed = false;
  int downs = 0;                // overlapping down faults: up again when the last one ends
  bool silent = false;          // black hole: nothing read, nothing sent, connections stay
  double loss = 0;              // a `loss` fault: probability that one segment is dropped
  std::uint64_t offered = 0, lost = 0;  // transmissions through the port while lossy, and lost ones
};

struct Emulator::Ring {
  io_uring ring{};
  std::uint64_t wake_value = 0;            // the eventfd read's buffer
  bool wake_armed = false;
  bool timer_armed = false;
  std::int64_t timer_at = -1;              // the armed timer's deadline (ns since start)
  __kernel_timespec timer_ts{};            // its absolute CLOCK_MONOTONIC time (read by the kernel at submit)
  std::size_t in_flight = 0;               // operations submitted and not completed
};

// The ring's operation kinds that fault_driver.cpp cancels (user_data's top byte; emulator_loop.cpp).
inline constexpr std::uint8_t kOpRecv = 1, kOpAccept = 3;

// What the signal handler saw since the last call (emulator.cpp): SIGINT/SIGTERM, SIGUSR1.
inline constexpr unsigned kSignalStop = 1, kSignalFaultClock = 2;
unsigned take_signals();

// Output above this stops reading from the connection until the host has taken it.
inline constexpr std::size_t kOutputHighWater = 2 * TargetLimits::kMaxTransfer + 4096;
// One recv's buffer per connection: several PDUs per completion at QD16 and more.
inline constexpr std::size_t kRecvBuffer = 64 * 1024;

}  // namespace mpsim::live
