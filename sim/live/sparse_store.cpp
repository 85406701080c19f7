#include "sim/live/sparse_store.h"

#include <algorithm>
#include <vector>

namespace mpsim::live {

void SparseStore::read(std::uint64_t offset, std::span<std::uint8_t> out) const {
  std::size_t done = 0;
  while (done < out.size()) {
    const std::uint64_t at = offset + done;
    const std::uint64_t page = at / kPageSize;
    const std::size_t in_page = std::size_t(at % kPageSize);
    const std::size_t n = std::min(out.size() - done, kPageSize - in_page);
    auto it = pages_.find(page);
    if (it == pages_.end()) std::fill_n(out.data() + done, n, std::uint8_t{0});
    else std::copy_n(it->second.get() + in_page, n, out.data() + done);
    done += n;
  }
}

bool SparseStore::write(std::uint64_t offset, ByteSpan data) {
  // Allocate every missing page first, so a write that does not fit changes nothing.
  const std::uint64_t first = offset / kPageSize;
  const std::uint64_t last = (offset + data.size() - 1) / kPageSize;
  std::vector<std::uint64_t> added;
  for (std::uint64_t p = first; !data.empty() && p <= last; ++p) {
    if (pages_.count(p)) continue;
    if (!budget_->take_page()) {
      for (std::uint64_t a : added) pages_.erase(a);
      budget_->give_back(added.size());
      return false;
    }
    pages_.emplace(p, Page(new std::uint8_t[kPageSize]()));
    added.push_back(p);
  }
  std::size_t done = 0;
  while (done < data.size()) {
    const std::uint64_t at = offset + done;
    const std::size_t in_page = std::size_t(at % kPageSize);
    const std::size_t n = std::min(data.size() - done, kPageSize - in_page);
    std::copy_n(data.data() + done, n, pages_[at / kPageSize].get() + in_page);
    done += n;
  }
  return true;
}

}  // namespace mpsim::live
