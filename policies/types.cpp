#include "policies/types.h"

#include "policies/io.h"

namespace mpsim::policies {

std::string_view to_string(AnaState s) {
  switch (s) {
    case AnaState::Optimized: return "optimized";
    case AnaState::NonOptimized: return "non-optimized";
    case AnaState::Inaccessible: return "inaccessible";
    case AnaState::PersistentLoss: return "persistent-loss";
    case AnaState::Change: return "change";
  }
  return "?";
}

std::string_view to_string(ControllerState s) {
  switch (s) {
    case ControllerState::New: return "new";
    case ControllerState::Live: return "live";
    case ControllerState::Resetting: return "resetting";
    case ControllerState::Connecting: return "connecting";
    case ControllerState::Deleting: return "deleting";
    case ControllerState::DeletingNoIo: return "deleting (no IO)";
    case ControllerState::Dead: return "dead";
  }
  return "?";
}

std::string_view to_string(FailReason r) {
  switch (r) {
    case FailReason::None: return "none";
    case FailReason::ErrorStatus: return "error-status";
    case FailReason::NoAvailablePath: return "no-available-path";
    case FailReason::FailfastExpired: return "failfast-expired";
    case FailReason::NoPathRetryExpired: return "no-path-retry-expired";
    case FailReason::HeadRemoved: return "head-removed";
  }
  return "?";
}

}  // namespace mpsim::policies
