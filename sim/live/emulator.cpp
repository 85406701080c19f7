#include "sim/live/emulator.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <set>
#include <stdexcept>

#include "sim/live/emulator_state.h"

namespace mpsim::live {

namespace {

// Signals (with handle_signals): the handler only records which one came and wakes the loop
// through its eventfd, whose read is always in the ring.
std::atomic<int> g_signal_wake_fd{-1};
std::atomic<unsigned> g_signals{0};

extern "C" void on_signal(int sig) {
  g_signals.fetch_or(sig == SIGUSR1 ? kSignalFaultClock : kSignalStop);
  const std::uint64_t one = 1;
  const int fd = g_signal_wake_fd.load();
  if (fd >= 0) (void)!::write(fd, &one, sizeof one);
}

std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

unsigned take_signals() { return g_signals.exchange(0); }

std::vector<ListenAddress> listen_addresses(const std::vector<LivePort>& ports, bool real) {
  std::vector<ListenAddress> out;
  std::set<std::string> used;
  for (const LivePort& p : ports) {
    if (p.traddr.rfind("127.", 0) == 0) used.insert(p.traddr);
  }
  std::map<std::string, std::string> mapped;
  int next = 1;
  for (const LivePort& p : ports) {
    std::string addr = p.traddr;
    if (!real && addr.rfind("127.", 0) != 0) {
      auto it = mapped.find(addr);
      if (it == mapped.end()) {
        std::string candidate;
        do candidate = "127.0.0." + std::to_string(next++);
        while (used.count(candidate));
        used.insert(candidate);
        it = mapped.emplace(addr, candidate).first;
      }
      addr = it->second;
    }
    out.push_back({p.name, addr, p.trsvcid});
  }
  return out;
}

Emulator::~Emulator() {
  if (ring_) {
    drain();  // nothing the kernel may still write into is freed before its completion
    io_uring_queue_exit(&ring_->ring);
  }
  conns_.clear();  // sessions first: they tell the target
  for (PortRuntime& p : ports_rt_) {
    if (p.listen_fd >= 0) ::close(p.listen_fd);
  }
  if (options_.handle_signals) {
    g_signal_wake_fd = -1;
    for (int sig : {SIGINT, SIGTERM, SIGUSR1}) std::signal(sig, SIG_DFL);
  }
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

std::int64_t Emulator::now() const {
  ++loop_calls_.clock;
  return monotonic_ns() - start_ns_;
}

void Emulator::start() {
  wake_fd_ = eventfd(0, EFD_CLOEXEC);
  if (wake_fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
  if (options_.handle_signals) {
    g_signal_wake_fd = wake_fd_;
    struct sigaction sa{};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    if (options_.faults_after_signal) sigaction(SIGUSR1, &sa, nullptr);
  }
  for (std::uint32_t p = 0; p < ports_rt_.size(); ++p) open_listener(p);
  start_ns_ = monotonic_ns();
  fault_t0_ = options_.faults_after_signal ? -1 : 0;
  next_keep_alive_check_ = 1'000'000'000;
  for (std::uint32_t p = 0; p < addresses_.size(); ++p) {
    event("listen", addresses_[p].port, addresses_[p].address + ":" + std::to_string(addresses_[p].trsvcid));
  }
}

void Emulator::open_listener(std::uint32_t port) {
  const ListenAddress a = addresses_[port];
  const bool v6 = a.address.find(':') != std::string::npos;
  int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("port " + a.port + ": cannot open a socket: " + std::strerror(errno));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_storage ss{};
  socklen_t len = 0;
  bool parsed = false;
  if (v6) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(std::uint16_t(a.trsvcid));
    parsed = inet_pton(AF_INET6, a.address.c_str(), &s6->sin6_addr) == 1;
    len = sizeof *s6;
  } else {
    auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
    s4->sin_family = AF_INET;
    s4->sin_port = htons(std::uint16_t(a.trsvcid));
    parsed = inet_pton(AF_INET, a.address.c_str(), &s4->sin_addr) == 1;
    len = sizeof *s4;
  }
  if (!parsed || ::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, 64) != 0) {
    const std::string err = parsed ? std::strerror(errno) : "not an IP address";
    ::close(fd);
    throw std::runtime_error("port " + a.port + ": cannot listen on " + a.address + ":" + std::to_string(a.trsvcid) +
                             ": " + err);
  }
  if (a.trsvcid == 0) {  // port 0 (tests): the kernel chose one; keep it across a down and up
    sockaddr_storage bound{};
    socklen_t blen = sizeof bound;
    getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &blen);
    addresses_[port].trsvcid = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                        : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  }
  ports_rt_[port].listen_fd = fd;
}

void Emulator::close_listener(std::uint32_t port) {
  PortRuntime& rt = ports_rt_[port];
  if (rt.listen_fd < 0) return;
  // The ring holds the socket while its accept is in flight: shutting it down ends the accept
  // (and the listening) now, so a reconnect is refused at once, as after nvmet removes a port.
  ::shutdown(rt.listen_fd, SHUT_RDWR);
  ::close(rt.listen_fd);
  loop_calls_.other += 2;
  rt.listen_fd = -1;
}

void Emulator::new_connection(std::uint32_t port, int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ++loop_calls_.other;
  auto c = std::make_unique<Conn>();
  c->fd = fd;
  c->id = next_conn_++;
  c->port = port;
  c->session = std::make_unique<Session>(*target_, c->id, port);
  c->rbuf.reset(new std::uint8_t[kRecvBuffer]);  // not zeroed: only the pages a recv fills become resident
  conns_.emplace(c->id, std::move(c));
}

void Emulator::close_now(ConnId id, const std::string& reason) {
  auto it = conns_.find(id);
  if (it == conns_.end() || it->second->closing) return;
  Conn& c = *it->second;
  if (ports_rt_[c.port].silent) {  // a black hole sends no FIN either: close when the port returns
    c.doomed = true;
    c.doom_reason = reason;
    return;
  }
  send_now(c);  // best effort: a last response or ICResp before the FIN
  event("disconnect", addresses_[c.port].port, "connection " + std::to_string(id) + ": " + reason);
  // shutdown sends the FIN now and ends the recv in flight; the ring keeps the socket until then.
  ::shutdown(c.fd, SHUT_RDWR);
  ::close(c.fd);
  loop_calls_.other += 2;
  c.fd = -1;
  c.closing = true;
  c.session.reset();  // may drop a controller, which queues its other connections in to_close_
  forget_if_done(id);
}

void Emulator::complete_held(ConnId conn, const Cqe& cqe) {
  auto it = conns_.find(conn);
  if (it == conns_.end()) return;
  if (it->second->closing) return;
  it->second->session->complete_held(cqe);  // sent at the loop's next round
}

void Emulator::close_connection(ConnId conn, const std::string& reason) { to_close_.push_back({conn, reason}); }

void Emulator::event(std::string_view kind, std::string_view subject, const std::string& detail) {
  events_.write(start_ns_ == 0 ? 0 : now(), kind, subject, detail);
}

void Emulator::stop() {
  stop_requested_ = true;
  const std::uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!::write(wake_fd_, &one, sizeof one);  // completes the ring's read of it
}

void Emulator::start_fault_clock() {
  if (fault_t0_ >= 0) return;
  fault_t0_ = now();
  // The wall clock too: validate's three-way run places the emulator's fault times on the guest's
  // own timeline (its T0 is a CLOCK_REALTIME stamp) even when the signal reached the loop late.
  timespec wall{};
  clock_gettime(CLOCK_REALTIME, &wall);
  const std::int64_t wall_us = std::int64_t(wall.tv_sec) * 1'000'000 + wall.tv_nsec / 1000;
  event("fault-clock", "emulator", "fault schedule starts (SIGUSR1); realtime_us " + std::to_string(wall_us));
}

void Emulator::log_counters() {
  for (std::uint32_t p = 0; p < addresses_.size(); ++p) {
    const LiveTarget::PortCounters& n = target_->counters(p);
    event("io-count", addresses_[p].port, std::to_string(n.ios) + " I/Os, " + std::to_string(n.ana_refused) +
                                              " refused by ANA");
  }
}

}  // namespace mpsim::live
