// Vocabulary shared by every part of the multipath library: time, ANA and controller states,
// NVMe status codes. Standard library only (see ARCHITECTURE.md: policies/ is production code).
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace mpsim::policies {

// Time is whatever the caller's clock says: virtual time in the simulator, steady_clock in a
// real host. The library never reads a clock of its own.
using Duration = std::chrono::nanoseconds;
using TimePoint = std::chrono::nanoseconds;  // since the caller's epoch

inline constexpr int kNumaNoNode = -1;  // NUMA_NO_NODE: NVMe/TCP controllers normally report it

enum class AnaState : std::uint8_t { Optimized, NonOptimized, Inaccessible, PersistentLoss, Change };

// Only optimized and non-optimized paths are ever selected (multipath.c, nvme_path_is_optimized).
constexpr bool ana_accessible(AnaState s) {
  return s == AnaState::Optimized || s == AnaState::NonOptimized;
}
std::string_view to_string(AnaState s);

// Linux enum nvme_ctrl_state, in the kernel's order.
enum class ControllerState : std::uint8_t { New, Live, Resetting, Connecting, Deleting, DeletingNoIo, Dead };
std::string_view to_string(ControllerState s);

enum class IoDirection : std::uint8_t { Read, Write };

// NVMe completion status: (status code type << 8) | status code, plus the DNR bit and the
// command retry delay index (CRD, 0..3) as the controller returned them.
struct NvmeStatus {
  std::uint16_t code = 0;
  bool dnr = false;
  std::uint8_t crd = 0;
  constexpr bool ok() const { return code == 0; }
};

namespace status {
inline constexpr std::uint16_t kSuccess = 0x000;
inline constexpr std::uint16_t kInvalidField = 0x002;
inline constexpr std::uint16_t kNamespaceNotReady = 0x082;
inline constexpr std::uint16_t kWriteFault = 0x280;
inline constexpr std::uint16_t kUnrecoveredReadError = 0x281;
inline constexpr std::uint16_t kInternalPathError = 0x300;
inline constexpr std::uint16_t kAnaPersistentLoss = 0x301;
inline constexpr std::uint16_t kAnaInaccessible = 0x302;
inline constexpr std::uint16_t kAnaTransition = 0x303;
inline constexpr std::uint16_t kControllerPathingError = 0x360;
inline constexpr std::uint16_t kHostPathError = 0x370;       // NVME_SC_HOST_PATH_ERROR
inline constexpr std::uint16_t kHostAbortedCommand = 0x371;  // NVME_SC_HOST_ABORTED_CMD
}  // namespace status

// nvme_is_path_error: status code type 3.
constexpr bool is_path_error(std::uint16_t code) { return (code & 0x700) == 0x300; }
// nvme_is_ana_error.
constexpr bool is_ana_error(std::uint16_t code) {
  return code == status::kAnaPersistentLoss || code == status::kAnaInaccessible ||
         code == status::kAnaTransition;
}

}  // namespace mpsim::policies
