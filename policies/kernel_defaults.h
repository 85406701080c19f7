// The Linux defaults mpsim assumes wherever a setting is not given, written once. Each value
// names the kernel source it comes from (checked against 6.12); the controller's and the head's
// configs and the topology's `nvme connect` options (topologies/topology.cpp) read them here.
// To add one: a named constant below with its source, then use it where the option is filled in.
#pragma once

#include <chrono>
#include <cstdint>

#include "policies/types.h"

namespace mpsim::policies::kernel_defaults {

// ---- `nvme connect` options (drivers/nvme/host/fabrics.h, nvme.h; parsed in fabrics.c
// nvmf_parse_options)
inline constexpr Duration kKato = std::chrono::seconds(5);             // NVME_DEFAULT_KATO (nvme.h)
inline constexpr Duration kReconnectDelay = std::chrono::seconds(10);  // NVMF_DEF_RECONNECT_DELAY
inline constexpr Duration kCtrlLossTmo = std::chrono::seconds(600);    // NVMF_DEF_CTRL_LOSS_TMO; < 0 = forever
inline constexpr Duration kFastIoFailTmo = std::chrono::seconds(-1);   // NVMF_DEF_FAIL_FAST_TMO; < 0 = off
inline constexpr std::uint32_t kQueueSize = 128;                       // NVMF_DEF_QUEUE_SIZE
// nr_io_queues: one I/O queue per online CPU (opts->nr_io_queues = num_online_cpus()).
constexpr std::uint32_t nr_io_queues(std::uint32_t online_cpus) { return online_cpus; }

// ---- nvme_core module parameters (drivers/nvme/host/core.c)
inline constexpr Duration kIoTimeout = std::chrono::seconds(30);     // io_timeout (nvme_io_timeout = 30)
inline constexpr Duration kAdminTimeout = std::chrono::seconds(60);  // admin_timeout = 60
inline constexpr std::uint8_t kMaxRetries = 5;                       // max_retries (nvme_max_retries = 5)

// ---- native multipath (drivers/nvme/host/multipath.c)
inline constexpr Duration kDelayedRemoval = Duration(0);  // /sys/block/nvmeXnY/delayed_removal_secs (6.16+): 0 = off

// ---- kernel build
inline constexpr std::uint32_t kHz = 250;  // CONFIG_HZ of Debian's amd64 kernels (CONFIG_HZ_250)

// ---- the target: nvmet's Identify Controller (drivers/nvme/target/admin-cmd.c)
inline constexpr Duration kNvmetAnatt = std::chrono::seconds(10);  // id->anatt = 10

}  // namespace mpsim::policies::kernel_defaults
