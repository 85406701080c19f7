// A first-in first-out list for the lists a host keeps per controller and per head (the requests
// waiting for a tag, the head's requeue_list): almost all of them stay empty for a whole run, and
// a host has one per controller and per namespace. The kernel links them through the request
// itself (bio_list via bio->bi_next), so an empty list costs two pointers; a std::deque allocates
// its map and a first block even while empty (~580 bytes each with libstdc++). This one allocates
// nothing until its first push and keeps a deque's order; it also serves as std::queue's
// container (std::queue<T, Fifo<T>>).
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace mpsim::policies {

template <class T>
class Fifo {
 public:
  using value_type = T;
  using size_type = std::size_t;
  using reference = T&;
  using const_reference = const T&;

  bool empty() const { return front_ == items_.size(); }
  std::size_t size() const { return items_.size() - front_; }
  T& front() { return items_[front_]; }
  const T& front() const { return items_[front_]; }
  T& back() { return items_.back(); }
  const T& back() const { return items_.back(); }
  void push_back(const T& v) { items_.push_back(v); }
  void push_back(T&& v) { items_.push_back(std::move(v)); }
  template <class... Args>
  T& emplace_back(Args&&... args) {
    return items_.emplace_back(std::forward<Args>(args)...);
  }
  void pop_front() {
    ++front_;
    if (front_ == items_.size()) {  // drained: start again at the front of the same storage
      items_.clear();
      front_ = 0;
    } else if (front_ >= kCompactAfter && 2 * front_ >= items_.size()) {
      // A list that never drains (a controller full for a long time) would otherwise grow by
      // everything that ever passed through it: drop the popped half, amortised O(1).
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(front_));
      front_ = 0;
    }
  }
  void swap(Fifo& other) noexcept {
    items_.swap(other.items_);
    std::swap(front_, other.front_);
  }
  // Oldest first.
  auto begin() const { return items_.begin() + static_cast<std::ptrdiff_t>(front_); }
  auto end() const { return items_.end(); }

 private:
  static constexpr std::size_t kCompactAfter = 32;
  std::vector<T> items_;
  std::size_t front_ = 0;  // items_[0, front_) are popped
};

}  // namespace mpsim::policies
