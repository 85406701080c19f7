// The engine's event queue: a 4-ary heap ordered by (time, insertion sequence), so events at
// the same instant run in the order they were scheduled — one seed, one event order. (4-ary:
// half the levels of a binary heap, and the four children share a cache line or two.)
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace mpsim::sim {

// Which handler an event goes to: an index into the Scheduler's table, which each component
// fills with its own event types (sim/scheduler.h). One byte keeps the event compact.
using EventType = std::uint8_t;

struct Event {
  std::int64_t time;
  std::uint64_t seq;
  EventType type;
  std::uint32_t a;    // the handler's own: io slot, job, timer slot or connection
  std::uint32_t tag;  // the handler's own: attempt, timer generation or connection epoch
};

// The heap holds only 16-byte keys (time and a payload slot), with each group of four siblings
// on one 64-byte cache line; the rest of an event waits in a slot until it is popped. With tens
// of thousands of events pending, sifting is what misses the cache, so this halves the memory it
// touches per level. The order is unchanged: (time, seq), seq read from the slot only on a tie.
class Calendar {
 public:
  void push(std::int64_t time, EventType type, std::uint32_t a, std::uint32_t tag) {
    std::uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      slot = std::uint32_t(payload_.size());
      payload_.emplace_back();
    }
    payload_[slot] = Payload{next_seq_++, type, a, tag};
    heap_.push_back(Key{time, slot});
    sift_up(heap_.size() - 1);
  }
  bool empty() const { return heap_.size() == kRoot; }
  std::int64_t top_time() const { return heap_[kRoot].time; }
  Event pop() {
    const Key k = heap_[kRoot];
    const Payload& p = payload_[k.slot];
    const Event e{k.time, p.seq, p.type, p.a, p.tag};
    free_.push_back(k.slot);
    heap_[kRoot] = heap_.back();
    heap_.pop_back();
    if (!empty()) sift_down(kRoot);
    return e;
  }
  std::size_t size() const { return heap_.size() - kRoot; }

 private:
  struct Key {
    std::int64_t time;
    std::uint32_t slot;
  };
  struct Payload {
    std::uint64_t seq;
    EventType type;
    std::uint32_t a, tag;
  };
  // Keys live at [kRoot, size): node i's children are 4(i - kRoot) + 4 ... + 7, a multiple of
  // four, so with a 64-byte-aligned array each sibling group is one cache line.
  static constexpr std::size_t kRoot = 3;

  template <class T>
  struct CacheLineAllocator {
    using value_type = T;
    CacheLineAllocator() = default;
    template <class U>
    CacheLineAllocator(const CacheLineAllocator<U>&) {}
    T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(64))); }
    void deallocate(T* p, std::size_t) { ::operator delete(p, std::align_val_t(64)); }
    bool operator==(const CacheLineAllocator&) const { return true; }
  };

  bool before(const Key& x, const Key& y) const {
    return x.time < y.time || (x.time == y.time && payload_[x.slot].seq < payload_[y.slot].seq);
  }
  static std::size_t parent_of(std::size_t i) { return (i - kRoot - 1) / 4 + kRoot; }
  static std::size_t first_child(std::size_t i) { return 4 * (i - kRoot) + 4; }

  void sift_up(std::size_t i) {
    const Key k = heap_[i];
    while (i > kRoot) {
      const std::size_t parent = parent_of(i);
      if (!before(k, heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = k;
  }
  void sift_down(std::size_t i) {
    const Key k = heap_[i];
    const std::size_t n = heap_.size();
    for (;;) {
      const std::size_t first = first_child(i);
      if (first >= n) break;
      std::size_t child = first;
      const std::size_t last = std::min(first + 4, n);
      for (std::size_t c = first + 1; c < last; ++c) {
        if (before(heap_[c], heap_[child])) child = c;
      }
      if (!before(heap_[child], k)) break;
      heap_[i] = heap_[child];
      i = child;
    }
    heap_[i] = k;
  }

  std::vector<Key, CacheLineAllocator<Key>> heap_ = std::vector<Key, CacheLineAllocator<Key>>(kRoot);
  std::vector<Payload> payload_;
  std::vector<std::uint32_t> free_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace mpsim::sim
