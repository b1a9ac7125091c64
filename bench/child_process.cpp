#include "bench/child_process.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace craton::bench {

namespace {
constexpr std::size_t kLineBytesMax = 4096;
}

Result<ChildProcess> ChildProcess::start(const std::string& binary,
                                         const std::vector<std::string>& args) {
  int in[2], out[2];
  if (::pipe(in) != 0) return Error{"spawn_failed", std::strerror(errno)};
  if (::pipe(out) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return Error{"spawn_failed", std::strerror(errno)};
  }
  // Built before fork: the parent runs threads, so the child may only make async-signal-safe
  // calls (no allocation) until exec.
  std::vector<std::string> copy = args;
  std::string argv0 = binary;
  std::vector<char*> argv{argv0.data()};
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return Error{"spawn_failed", std::strerror(errno)};
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::close(in[0]);
    ::close(in[1]);
    ::close(out[0]);
    ::close(out[1]);
    ::close_range(3, ~0U, 0);  // no inherited sockets: the parent's listen port stays its own
    ::execv(argv0.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ChildProcess child;
  child.pid_ = pid;
  child.stdin_fd_ = in[1];
  child.stdout_fd_ = out[0];
  return child;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(other.pid_),
      stdin_fd_(other.stdin_fd_),
      stdout_fd_(other.stdout_fd_),
      buffered_(std::move(other.buffered_)) {
  other.pid_ = -1;
  other.stdin_fd_ = -1;
  other.stdout_fd_ = -1;
}

ChildProcess::~ChildProcess() {
  finish(std::chrono::seconds(5));
}

Result<std::string> ChildProcess::read_line(std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    auto nl = buffered_.find('\n');
    if (nl != std::string::npos) {
      auto line = buffered_.substr(0, nl);
      buffered_.erase(0, nl + 1);
      return line;
    }
    if (buffered_.size() > kLineBytesMax) return Error{"bad_output", "peer line too long"};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Error{"timeout", "peer said nothing in time"};
    pollfd p{stdout_fd_, POLLIN, 0};
    if (::poll(&p, 1, int(left.count())) <= 0) continue;
    char buf[512];
    auto n = ::read(stdout_fd_, buf, sizeof buf);
    if (n <= 0) return Error{"peer_exited", "peer closed its output"};
    buffered_.append(buf, std::size_t(n));
  }
}

double ChildProcess::cpu_seconds() const {
  if (pid_ <= 0) return 0;
  std::ifstream stat("/proc/" + std::to_string(pid_) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces) start after the last ')'.
  auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return double(utime + stime) / double(::sysconf(_SC_CLK_TCK));
}

bool ChildProcess::finish(std::chrono::milliseconds limit) {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  stdin_fd_ = stdout_fd_ = -1;
  if (pid_ <= 0) return true;
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  return false;
}

}  // namespace craton::bench
