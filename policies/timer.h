// The only way time enters the library: the caller (simulator or real host) implements it.
#pragma once

#include <cstdint>
#include <functional>

#include "policies/types.h"

namespace mpsim::policies {

class TimerService {
 public:
  using TimerId = std::uint64_t;
  static constexpr TimerId kNoTimer = 0;

  virtual ~TimerService() = default;
  virtual TimePoint now() const = 0;
  // Calls `fn` once, `delay` from now. Never calls it from inside schedule_after itself.
  virtual TimerId schedule_after(Duration delay, std::function<void()> fn) = 0;
  // Cancelling a timer that already fired, or kNoTimer, is a no-op.
  virtual void cancel(TimerId id) = 0;
};

}  // namespace mpsim::policies
