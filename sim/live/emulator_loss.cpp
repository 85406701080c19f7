// A `loss` fault on the live emulator's connections (why and how: lossy_stream.h). The loop asks
// passes() before a send leaves and when a recv's bytes arrive, holds what did not pass, and
// calls resend_due() every round; a held direction needs the exact clock, so precise_time() says
// so while one is held or a port is lossy.
#include "sim/live/emulator_state.h"

namespace mpsim::live {

bool Emulator::passes(Conn& c, LossyStream& s, std::size_t bytes) {
  PortRuntime& rt = ports_rt_[c.port];
  if (rt.loss <= 0 && !s.holding()) return true;
  const std::uint64_t lost_before = s.lost();
  const bool through =
      s.offer(transport_.segments(transport_.on_wire(bytes)), rt.loss, round_t_, loss_rng_, loss_timing_[c.port]);
  ++rt.offered;
  rt.lost += s.lost() - lost_before;
  return through;
}

void Emulator::resend_due(Conn& c, std::int64_t now_ns) {
  PortRuntime& rt = ports_rt_[c.port];
  if (c.closing || rt.silent) return;
  for (LossyStream* s : {&c.loss_out, &c.loss_in}) {
    if (!s->holding() || s->due() > now_ns) continue;
    const std::uint64_t lost_before = s->lost();
    const bool through = s->retransmit(rt.loss, now_ns, loss_rng_, loss_timing_[c.port]);
    rt.lost += s->lost() - lost_before;
    if (!through) continue;
    if (s == &c.loss_out) {  // the held send goes, and what followed it (already at the host) with it
      Bytes& out = c.session->output();
      c.sending.insert(c.sending.end(), out.begin(), out.end());
      out.clear();
      c.out_seen = 0;
    } else {
      const Bytes held = std::move(c.held_behind_loss);
      c.held_behind_loss.clear();
      feed(c, held, now_ns);
    }
  }
}

bool Emulator::lossy(const Conn& c) const {
  return ports_rt_[c.port].loss > 0 || c.loss_out.holding() || c.loss_in.holding();
}

}  // namespace mpsim::live
