// nvmet's own keep-alive timer, one per controller (drivers/nvme/target/core.c). The target arms
// it for kato seconds when the controller is created (nvmet_start_keep_alive_timer); a Keep
// Alive command re-arms it for kato from now (nvmet_execute_keep_alive: mod_delayed_work); every
// command sets reset_tbkas (nvmet_req_init, the target advertises TBKAS). When the timer fires
// with reset_tbkas set it clears it and re-arms for another kato; without, the controller has
// expired: "keep-alive timer (N seconds) expired!", nvmet_ctrl_fatal_error, and the transport
// tears the controller's queues down (nvmet_tcp_delete_ctrl). From then on the target answers
// nothing of that controller and its responses still in flight are dropped.
//
// Evaluated lazily, with no event of its own: between two commands the timer's future is fixed
// (one more re-arm if reset_tbkas is set, then expiry), so whether the controller is alive at
// `now` follows from the state the last command left. Plain state in virtual ns, like TargetModel.
// Simplified: the timer runs to the nanosecond (the kernel's delayed work is in jiffies), and
// kato is the host's kato_s rounded up to whole seconds as nvmet_alloc_ctrl does.
#pragma once

#include <cstdint>
#include <vector>

namespace mpsim::sim {

class TargetKeepAlive {
 public:
  // Controller ids are dense, registered in order; kato_ns 0 = no timer (kato 0 in the connect).
  void add(std::uint32_t ctrl, std::int64_t kato_ns);
  // The controller was created (Fabrics Connect on the admin queue) at `now`: the timer starts.
  void start(std::uint32_t ctrl, std::int64_t now);
  // A command of the controller reached the target at `now` (the controller is alive then).
  void command(std::uint32_t ctrl, std::int64_t now, bool keep_alive);
  // The timer has not expired by `now`.
  bool alive(std::uint32_t ctrl, std::int64_t now) const {
    const Timer& t = timers_[ctrl];
    return t.kato_ns == 0 || now < t.fires + (t.reset_tbkas ? t.kato_ns : 0);
  }
  // When it expires if no command comes first.
  std::int64_t expires(std::uint32_t ctrl) const {
    const Timer& t = timers_[ctrl];
    return t.fires + (t.reset_tbkas ? t.kato_ns : 0);
  }
  std::int64_t kato_ns(std::uint32_t ctrl) const { return timers_[ctrl].kato_ns; }
  // Once per controller life: true the first time it is found expired (for the events list).
  bool newly_expired(std::uint32_t ctrl, std::int64_t now) {
    Timer& t = timers_[ctrl];
    if (t.reported || alive(ctrl, now)) return false;
    return t.reported = true;
  }

 private:
  struct Timer {
    std::int64_t kato_ns = 0;
    std::int64_t fires = 0;     // when the delayed work runs next
    bool reset_tbkas = false;   // a command came since it last ran
    bool reported = false;      // its expiry went to the events list
  };
  std::vector<Timer> timers_;
};

}  // namespace mpsim::sim
