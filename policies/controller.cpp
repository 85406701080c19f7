// Skeleton: bodies filled in next (see controller.h).
#include "policies/controller.h"

#include <algorithm>

namespace mpsim::policies {

Controller::Controller(std::string name, ControllerConfig config, TimerService& timers,
                       ControllerTransport& transport, ControllerObserver* observer)
    : name_(std::move(name)), config_(config), timers_(timers), transport_(transport), observer_(observer) {}

Controller::~Controller() = default;

void Controller::start() { state_ = ControllerState::Connecting; transport_.connect(*this); }
void Controller::reset() {}
void Controller::remove() { state_ = ControllerState::Dead; }
void Controller::on_connect_done(bool ok, const AnaLog&) { if (ok) state_ = ControllerState::Live; }
void Controller::on_keep_alive_done() {}
void Controller::on_ana_log(const AnaLog&) {}
void Controller::on_ana_change_notice() {}
void Controller::on_transport_error() {}
void Controller::attach(Path& p) { paths_.push_back(&p); }
bool Controller::can_accept() const {
  return state_ == ControllerState::Live &&
         inflight_.size() < std::size_t(config_.queue_size) * config_.nr_io_queues;
}
void Controller::start_io(IoRequest& io) { inflight_.push_back(&io); transport_.dispatch(io); }
void Controller::end_io(IoRequest& io) {
  inflight_.erase(std::remove(inflight_.begin(), inflight_.end(), &io), inflight_.end());
}

}  // namespace mpsim::policies
