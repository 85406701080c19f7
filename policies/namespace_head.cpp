// Skeleton: bodies filled in next (see namespace_head.h).
#include "policies/namespace_head.h"

namespace mpsim::policies {

NamespaceHead::NamespaceHead(HeadConfig config, std::unique_ptr<PathSelector> selector, TimerService& timers,
                             IoCompletionSink& sink)
    : config_(std::move(config)), selector_(std::move(selector)), timers_(timers), sink_(sink) {}

NamespaceHead::~NamespaceHead() = default;

Path& NamespaceHead::add_path(Controller& ctrl, std::uint32_t ana_grpid, AnaState initial) {
  owned_.push_back(std::make_unique<Path>(ctrl, *this, list_.size(), ana_grpid, initial));
  list_.push_back(owned_.back().get());
  ctrl.attach(*owned_.back());
  return *owned_.back();
}

void NamespaceHead::submit(IoRequest& io) {
  ++counters_.submitted;
  requeue_.push_back(&io);
}
void NamespaceHead::complete(IoRequest& io, NvmeStatus status) {
  sink_.finished(io, IoResult{status, status.ok() ? FailReason::None : FailReason::ErrorStatus});
}
void NamespaceHead::set_selector(std::unique_ptr<PathSelector> s, Stack stack) {
  selector_ = std::move(s);
  config_.stack = stack;
}
void NamespaceHead::on_path_live(Path&) {}
void NamespaceHead::on_paths_changed() {}
void NamespaceHead::kick_requeue() {}
std::size_t NamespaceHead::inflight() const { return 0; }
bool NamespaceHead::available_path() const { return false; }

}  // namespace mpsim::policies
