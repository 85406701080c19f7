// Random segment loss (a `loss` fault) on one direction of a live connection. The emulator's
// sockets are the kernels' own TCP, which loses nothing on loopback, so the emulator plays what
// a lossy link does to an NVMe/TCP byte stream, as the simulator's TCP model does
// (sim/README.md "TCP retransmission"): a chunk of `segments` segments is lost with
// 1 - (1 - p)^segments; it and everything behind it on that direction wait for its
// retransmission: RACK's (one round trip plus min_rtt / 4) once later data reaches the receiver,
// else the RTO (200 ms floor, doubling when the retransmission is lost too, which it is with p:
// it is one segment). Pure: no socket, no clock; the emulator's loop holds the bytes.
#pragma once

#include <cstdint>
#include <random>

#include "models/transport.h"

namespace mpsim::live {

struct LossTiming {
  std::int64_t rack_ns = 0;   // a loss found by RACK: the link's round trip plus its reordering window
  models::TcpParams tcp;      // RTO floor and ceiling
};

// The retransmission timing of a port's link: latency of the link plugged into it.
LossTiming loss_timing(double link_latency_s);

class LossyStream {
 public:
  // New data of `segments` segments leaves now, with loss probability `p` per segment. True: it
  // gets through (nothing held). False: it is held until due(); so is everything offered after.
  bool offer(std::uint32_t segments, double p, std::int64_t now, std::mt19937_64& rng, const LossTiming& timing);
  bool holding() const { return due_ >= 0; }
  std::int64_t due() const { return due_; }  // when the lost data is resent (-1: nothing held)
  // At due(): the lost segment is resent and lost again with `p` (then the RTO, doubled, runs).
  // True when it got through: what was held is delivered.
  bool retransmit(double p, std::int64_t now, std::mt19937_64& rng, const LossTiming& timing);
  std::uint64_t lost() const { return lost_; }  // transmissions lost so far (first ones and resent ones)

 private:
  std::int64_t due_ = -1;
  std::int64_t rto_ = 0;      // the timer's interval, backoff included
  bool rack_ = false;         // later data got through: RACK resends early
  std::uint64_t lost_ = 0;
};

}  // namespace mpsim::live
