// Write order at each namespace, to find ghost writes: a write that reaches the media after a
// newer write to the same block was already acknowledged to a host, so the block ends up holding
// older data than the host was told (what NVMe 2.1's Command Quiesce Time exists to prevent).
//
// "Newer" is host order: the later write was issued after the host had finished the older one
// (its I/O ids are handed out in issue order, and a finished I/O is stamped with the next id
// then). Writes in flight together carry no order (NVMe does not order concurrent commands),
// so they are never counted.
//
// Memory: per namespace, one hash-map entry per block ever acknowledged: the newest acknowledged
// write's id and when it was acknowledged (16 bytes), its key (8) and libstdc++'s node link (8),
// a 32-byte node in a 48-byte malloc chunk, plus an 8-byte bucket pointer: about 56 bytes per
// touched block (a 64 KiB region of 4 KiB blocks: 16 entries; a 1 GiB random-write region: up
// to 262,144 entries, 14 MiB). Blocks with a ghost write are also kept in a set to count them.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace mpsim::sim {

class WriteOrder {
 public:
  static constexpr std::uint32_t kBlockBytes = 4096;  // tracking granularity (a 4 KiB LBA format)
  static constexpr std::size_t kBytesPerTrackedBlock = 56;

  // A write of I/O `id` covering [offset, offset + bytes) of namespace `ns` was acknowledged.
  void acknowledged(std::uint32_t ns, std::uint64_t offset, std::uint32_t bytes, std::uint64_t id, std::int64_t now);

  struct Ghost {
    std::uint32_t blocks = 0;        // of the write's blocks, those a newer acknowledged write holds
    std::uint32_t new_blocks = 0;    // of those, blocks with no earlier ghost write
    std::int64_t window_ns = 0;      // the largest: landing - that newer write's acknowledgment
  };
  // An older copy of a write reached the media now; the host finished its I/O when the next id
  // was `host_done_stamp` (0: the host still has it, so it cannot be a ghost).
  Ghost landed(std::uint32_t ns, std::uint64_t offset, std::uint32_t bytes, std::uint64_t host_done_stamp,
               std::int64_t now);

  std::size_t tracked_blocks() const;
  std::size_t ghost_blocks() const;

 private:
  struct Newest {
    std::uint64_t id = 0;
    std::int64_t acked = 0;
  };
  struct Namespace {
    std::unordered_map<std::uint64_t, Newest> blocks;
    std::unordered_set<std::uint64_t> ghosted;
  };
  Namespace& at(std::uint32_t ns);
  std::vector<Namespace> ns_;
};

}  // namespace mpsim::sim
