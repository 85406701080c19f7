#include "sim/write_order.h"

#include <algorithm>

namespace mpsim::sim {

WriteOrder::Namespace& WriteOrder::at(std::uint32_t ns) {
  if (ns >= ns_.size()) ns_.resize(ns + 1);
  return ns_[ns];
}

void WriteOrder::acknowledged(std::uint32_t ns, std::uint64_t offset, std::uint32_t bytes, std::uint64_t id,
                              std::int64_t now) {
  Namespace& n = at(ns);
  const std::uint64_t first = offset / kBlockBytes, last = (offset + std::max<std::uint32_t>(bytes, 1) - 1) / kBlockBytes;
  for (std::uint64_t b = first; b <= last; ++b) {
    Newest& newest = n.blocks[b];
    if (id > newest.id) newest = Newest{id, now};
  }
}

WriteOrder::Ghost WriteOrder::landed(std::uint32_t ns, std::uint64_t offset, std::uint32_t bytes,
                                     std::uint64_t host_done_stamp, std::int64_t now) {
  Ghost g;
  if (host_done_stamp == 0) return g;
  Namespace& n = at(ns);
  const std::uint64_t first = offset / kBlockBytes, last = (offset + std::max<std::uint32_t>(bytes, 1) - 1) / kBlockBytes;
  for (std::uint64_t b = first; b <= last; ++b) {
    auto it = n.blocks.find(b);
    if (it == n.blocks.end() || it->second.id < host_done_stamp || it->second.acked > now) continue;
    ++g.blocks;
    if (n.ghosted.insert(b).second) ++g.new_blocks;
    g.window_ns = std::max(g.window_ns, now - it->second.acked);
  }
  return g;
}

std::size_t WriteOrder::tracked_blocks() const {
  std::size_t n = 0;
  for (const Namespace& ns : ns_) n += ns.blocks.size();
  return n;
}

std::size_t WriteOrder::ghost_blocks() const {
  std::size_t n = 0;
  for (const Namespace& ns : ns_) n += ns.ghosted.size();
  return n;
}

}  // namespace mpsim::sim
