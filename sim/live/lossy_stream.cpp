#include "sim/live/lossy_stream.h"

#include <algorithm>
#include <cmath>

namespace mpsim::live {

namespace {

bool draw_loss(std::uint32_t segments, double p, std::mt19937_64& rng) {
  if (p <= 0) return false;
  const double pass = std::pow(1.0 - std::min(p, 1.0), double(segments));
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng) >= pass;
}

}  // namespace

LossTiming loss_timing(double link_latency_s) {
  LossTiming t;
  const auto rtt = std::int64_t(2.0 * link_latency_s * 1e9);
  t.rack_ns = rtt + (rtt >> t.tcp.reo_wnd_shift);
  return t;
}

bool LossyStream::offer(std::uint32_t segments, double p, std::int64_t now, std::mt19937_64& rng,
                        const LossTiming& timing) {
  if (holding()) {
    // Data behind a lost segment reaches the receiver, whose SACKs let RACK resend the lost one
    // a round trip later (unless the retransmission is already due sooner).
    if (!rack_) {
      rack_ = true;
      due_ = std::min(due_, now + timing.rack_ns);
    }
    return false;
  }
  if (!draw_loss(segments, p, rng)) return true;
  ++lost_;
  rto_ = timing.tcp.rto_min_ns;  // the sub-millisecond round trips of a target link: srtt + rttvar below the floor
  rack_ = false;
  due_ = now + rto_;
  return false;
}

bool LossyStream::retransmit(double p, std::int64_t now, std::mt19937_64& rng, const LossTiming& timing) {
  if (!holding()) return true;
  if (draw_loss(1, p, rng)) {  // the retransmission is lost too: only the RTO finds that, backed off
    ++lost_;
    rto_ = rack_ ? timing.tcp.rto_min_ns : std::min(2 * rto_, timing.tcp.rto_max_ns);
    rack_ = false;
    due_ = now + rto_;
    return false;
  }
  due_ = -1;
  rack_ = false;
  return true;
}

}  // namespace mpsim::live
