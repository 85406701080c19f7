// RAM-backed namespace data, sparse: a 4 KiB page is allocated on its first write, and reads
// of a page never written return zeros. Every namespace of the emulator draws its pages from one
// MemoryBudget, so the emulator's data memory is bounded by the number the user states.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>

#include "sim/live/nvme_wire.h"

namespace mpsim::live {

inline constexpr std::size_t kPageSize = 4096;

class MemoryBudget {
 public:
  explicit MemoryBudget(std::uint64_t bytes) : limit_(bytes) {}
  bool take_page() {
    if (used_ + kPageSize > limit_) return false;
    used_ += kPageSize;
    return true;
  }
  void give_back(std::size_t pages) { used_ -= pages * kPageSize; }
  std::uint64_t used() const { return used_; }
  std::uint64_t limit() const { return limit_; }

 private:
  std::uint64_t limit_;
  std::uint64_t used_ = 0;
};

class SparseStore {
 public:
  SparseStore(std::uint64_t size_bytes, MemoryBudget& budget) : size_(size_bytes), budget_(&budget) {}

  std::uint64_t size() const { return size_; }
  // Copies [offset, offset + out.size()) out; the range must lie inside the namespace.
  void read(std::uint64_t offset, std::span<std::uint8_t> out) const;
  // Copies `data` in at `offset`; false (nothing written) if a new page would exceed the budget.
  bool write(std::uint64_t offset, ByteSpan data);
  std::size_t pages() const { return pages_.size(); }

 private:
  using Page = std::unique_ptr<std::uint8_t[]>;
  std::uint64_t size_;
  MemoryBudget* budget_;
  std::unordered_map<std::uint64_t, Page> pages_;
};

}  // namespace mpsim::live
