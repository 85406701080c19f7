#include "sim/target_keepalive.h"

namespace mpsim::sim {

namespace {
constexpr std::int64_t kNsPerS = 1'000'000'000;
}

void TargetKeepAlive::add(std::uint32_t ctrl, std::int64_t kato_ns) {
  if (ctrl >= timers_.size()) timers_.resize(ctrl + 1);
  // nvmet_alloc_ctrl: ctrl->kato = DIV_ROUND_UP(kato in ms, 1000), whole seconds.
  timers_[ctrl].kato_ns = kato_ns <= 0 ? 0 : (kato_ns + kNsPerS - 1) / kNsPerS * kNsPerS;
}

void TargetKeepAlive::start(std::uint32_t ctrl, std::int64_t now) {
  Timer& t = timers_[ctrl];
  t.fires = now + t.kato_ns;
  t.reset_tbkas = false;
  t.reported = false;
}

void TargetKeepAlive::command(std::uint32_t ctrl, std::int64_t now, bool keep_alive) {
  Timer& t = timers_[ctrl];
  if (t.kato_ns == 0) return;
  if (now >= t.fires) {  // the work ran meanwhile, found reset_tbkas set and re-armed (alive(now) held)
    t.fires += t.kato_ns;
    t.reset_tbkas = false;
  }
  t.reset_tbkas = true;                     // nvmet_req_init
  if (keep_alive) t.fires = now + t.kato_ns;  // nvmet_execute_keep_alive
}

}  // namespace mpsim::sim
