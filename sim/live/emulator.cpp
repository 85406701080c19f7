#include "sim/live/emulator.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <set>
#include <stdexcept>

#include "sim/live/emulator_state.h"

namespace mpsim::live {

namespace {

constexpr std::uint64_t kListenTag = 1ull << 62, kWakeTag = 1ull << 61, kSignalTag = 1ull << 60;

std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

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
  conns_.clear();  // sessions first: they tell the target
  for (PortRuntime& p : ports_rt_) {
    if (p.listen_fd >= 0) ::close(p.listen_fd);
  }
  for (int fd : {epoll_fd_, wake_fd_, signal_fd_}) {
    if (fd >= 0) ::close(fd);
  }
}

std::int64_t Emulator::now() const {
  ++loop_calls_.clock;
  return monotonic_ns() - start_ns_;
}

void Emulator::start() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) throw std::runtime_error(std::string("epoll/eventfd: ") + std::strerror(errno));
  epoll_event ev{EPOLLIN, {.u64 = kWakeTag}};
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  if (options_.handle_signals) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    if (options_.faults_after_signal) sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, nullptr);
    signal_fd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    epoll_event sev{EPOLLIN, {.u64 = kSignalTag}};
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, signal_fd_, &sev);
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
  int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
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
  if (fd < 0 || !parsed || ::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, 64) != 0) {
    const std::string err = parsed ? std::strerror(errno) : "not an IP address";
    if (fd >= 0) ::close(fd);
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
  epoll_event ev{EPOLLIN, {.u64 = kListenTag | port}};
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  ports_rt_[port].listen_fd = fd;
}

void Emulator::close_listener(std::uint32_t port) {
  int& fd = ports_rt_[port].listen_fd;
  if (fd < 0) return;
  ::close(fd);  // closing removes it from the epoll set
  fd = -1;
}

void Emulator::accept_all(std::uint32_t port) {
  if (ports_rt_[port].silent) return;  // a black hole: SYNs complete in the kernel's backlog, nothing answers
  for (;;) {
    int fd = ::accept4(ports_rt_[port].listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto c = std::make_unique<Conn>();
    c->fd = fd;
    c->id = next_conn_++;
    c->port = port;
    c->session = std::make_unique<Session>(*target_, c->id, port);
    Conn& ref = *c;
    conns_.emplace(c->id, std::move(c));
    update_interest(ref);
  }
}

void Emulator::update_interest(Conn& c) {
  std::uint32_t want = 0;
  if (!ports_rt_[c.port].silent) {
    if (c.session->output().size() < kOutputHighWater) want |= EPOLLIN;
    if (!c.session->output().empty()) want |= EPOLLOUT;
  }
  if (want == c.interest) return;
  epoll_event ev{want, {.u64 = c.id}};
  epoll_ctl(epoll_fd_, c.interest == 0 && want != 0 ? EPOLL_CTL_ADD : (want == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD), c.fd,
            &ev);
  c.interest = want;
}

void Emulator::on_readable(Conn& c, std::int64_t now_ns) {
  std::uint8_t buf[65536];
  while (c.session->output().size() < kOutputHighWater) {
    const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    ++loop_calls_.recv;
    if (n == 0) return to_close_.push_back({c.id, "closed by the host"});
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK) to_close_.push_back({c.id, std::strerror(errno)});
      return;
    }
    if (!c.session->receive(ByteSpan(buf, std::size_t(n)), now_ns)) {
      ++protocol_errors_;
      return to_close_.push_back({c.id, "protocol error: " + c.session->reason()});
    }
    if (std::size_t(n) < sizeof buf) return;  // drained (level-triggered: more wakes us again)
  }
}

void Emulator::flush(Conn& c) {
  if (ports_rt_[c.port].silent) return;
  Bytes& out = c.session->output();
  std::size_t sent = 0;
  while (sent < out.size()) {
    const ssize_t n = ::send(c.fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    ++loop_calls_.send;
    if (n <= 0) break;
    sent += std::size_t(n);
  }
  out.erase(out.begin(), out.begin() + std::ptrdiff_t(sent));
  update_interest(c);
}

void Emulator::close_now(ConnId id, const std::string& reason) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Conn& c = *it->second;
  if (ports_rt_[c.port].silent) {  // a black hole sends no FIN either: close when the port returns
    c.doomed = true;
    c.doom_reason = reason;
    return;
  }
  flush(c);  // best effort: a last response or ICResp before the FIN
  event("disconnect", addresses_[c.port].port, "connection " + std::to_string(id) + ": " + reason);
  std::unique_ptr<Conn> owned = std::move(it->second);
  conns_.erase(it);
  ::close(owned->fd);
  owned->session.reset();  // may drop a controller, which queues its other connections in to_close_
}

void Emulator::complete_held(ConnId conn, const Cqe& cqe) {
  auto it = conns_.find(conn);
  if (it == conns_.end()) return;
  it->second->session->complete_held(cqe);
  flush(*it->second);
}

void Emulator::close_connection(ConnId conn, const std::string& reason) { to_close_.push_back({conn, reason}); }

void Emulator::event(std::string_view kind, std::string_view subject, const std::string& detail) {
  events_.write(start_ns_ == 0 ? 0 : now(), kind, subject, detail);
}

void Emulator::stop() {
  const std::uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!::write(wake_fd_, &one, sizeof one);
}

void Emulator::start_fault_clock() {
  if (fault_t0_ >= 0) return;
  fault_t0_ = now();
  event("fault-clock", "emulator", "fault schedule starts (SIGUSR1)");
}

void Emulator::log_counters() {
  for (std::uint32_t p = 0; p < addresses_.size(); ++p) {
    const LiveTarget::PortCounters& n = target_->counters(p);
    event("io-count", addresses_[p].port, std::to_string(n.ios) + " I/Os, " + std::to_string(n.ana_refused) +
                                              " refused by ANA");
  }
}

std::int64_t Emulator::next_wake(std::int64_t now_ns) const {
  std::int64_t t = next_keep_alive_check_;
  if (next_action_ < plan_.size() && fault_t0_ >= 0) t = std::min(t, fault_t0_ + plan_[next_action_].at);
  for (const auto& [id, c] : conns_) {
    const std::int64_t due = c->session->release(-1);  // peek: nothing is due before time -1
    if (due >= 0) t = std::min(t, due);
  }
  if (options_.duration_s > 0) t = std::min(t, std::int64_t(options_.duration_s * 1e9));
  return t - now_ns;
}

int Emulator::run() {
  epoll_event events[64];
  // One clock read per wake-up, shared by the handlers and the next round: in the UML guest
  // every system call, clock_gettime included, is a round trip through the host's ptrace.
  std::int64_t t = now();
  for (;;) {
    apply_due_faults(t);
    if (t >= next_keep_alive_check_) {
      target_->check_keep_alive(t);
      next_keep_alive_check_ = t + 1'000'000'000;
    }
    for (auto& [id, c] : conns_) {
      c->session->release(t);
      if (!c->session->output().empty()) flush(*c);
    }
    while (!to_close_.empty()) {
      auto batch = std::move(to_close_);
      to_close_.clear();
      for (auto& [id, why] : batch) close_now(id, why);
    }
    if (options_.duration_s > 0 && t >= std::int64_t(options_.duration_s * 1e9)) break;
    const std::int64_t wait = std::max<std::int64_t>(0, next_wake(t));
    timespec ts{time_t(wait / 1'000'000'000), long(wait % 1'000'000'000)};
    const int n = epoll_pwait2(epoll_fd_, events, 64, &ts, nullptr);
    ++loop_calls_.wait;
    t = now();
    bool stopping = false;
    for (int i = 0; i < n; ++i) {
      const std::uint64_t tag = events[i].data.u64;
      if (tag == kSignalTag) {
        signalfd_siginfo si{};
        while (::read(signal_fd_, &si, sizeof si) == sizeof si) {
          if (si.ssi_signo == SIGUSR1) start_fault_clock();
          else stopping = true;
        }
      } else if (tag == kWakeTag) {
        stopping = true;
      } else if (tag & kListenTag) {
        accept_all(std::uint32_t(tag & 0xFFFFFFFF));
      } else if (auto it = conns_.find(tag); it != conns_.end()) {
        Conn& c = *it->second;
        if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(c, t);
        flush(c);
      }
    }
    if (stopping) {
      event("stop", "emulator", signal_fd_ >= 0 ? "signal or stop request" : "stop request");
      break;
    }
  }
  for (auto& [id, c] : conns_) flush(*c);
  log_counters();
  std::uint64_t ios = 0;
  for (std::uint32_t p = 0; p < addresses_.size(); ++p) ios += target_->counters(p).ios;
  // The loop's system calls per I/O: what the emulator costs where each one is expensive (UML).
  event("loop-calls", "emulator",
        std::to_string(ios) + " I/Os: " + std::to_string(loop_calls_.wait) + " epoll waits, " +
            std::to_string(loop_calls_.recv) + " recv, " + std::to_string(loop_calls_.send) + " send, " +
            std::to_string(loop_calls_.clock) + " clock reads");
  return protocol_errors_;
}

}  // namespace mpsim::live
