#include "policies/path.h"

#include "policies/controller.h"

namespace mpsim::policies {

// DELETING stays usable on purpose (multipath.c): commands already queued on a controller
// that is being deleted can still complete, so new I/O is not bounced to the requeue list.
static bool controller_accepts_io(ControllerState s) {
  return s == ControllerState::Live || s == ControllerState::Deleting;
}

bool path_disabled(const Path& p) {
  if (p.removed || !controller_accepts_io(p.ctrl->state())) return true;
  return p.ana_pending || !p.ready;
}

bool path_usable(const Path& p) { return !path_disabled(p) && ana_accessible(p.ana_state); }

}  // namespace mpsim::policies
