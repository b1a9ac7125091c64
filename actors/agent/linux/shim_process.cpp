// shim_process.hpp: spawning shims, waiting for them and reading their pipes with deadlines.
#include "actors/agent/linux/shim_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

extern char** environ;

namespace craton::agent::linux_driver {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t ms_left(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return std::max<std::int64_t>(0, left.count());
}

}  // namespace

Status make_pipe(int fds[2]) {
  int raw[2];
  if (::pipe2(raw, O_CLOEXEC) != 0)
    return Error{"io", std::string("pipe: ") + std::strerror(errno)};
  for (int i = 0; i < 2; ++i) {
    fds[i] = ::fcntl(raw[i], F_DUPFD_CLOEXEC, 10);
    ::close(raw[i]);
  }
  if (fds[0] < 0 || fds[1] < 0) return Error{"io", std::string("dup: ") + std::strerror(errno)};
  return Ok{};
}

Result<pid_t> spawn_shim(const std::vector<std::string>& argv, int output_fd, int report_fd) {
  if (argv.empty()) return Error{"invalid", "empty shim command"};
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  if (output_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, output_fd, 1);
    posix_spawn_file_actions_adddup2(&actions, output_fd, 2);
  } else {
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  }
  if (report_fd >= 0) posix_spawn_file_actions_adddup2(&actions, report_fd, 3);
  // Nothing else of the agent's: its libraries (Boost.Asio, CAF, LMDB) open descriptors without
  // close-on-exec, and a shim lives as long as its container, so an inherited copy of the API
  // server's listening socket or of a client connection would outlive the agent's own close
  // (the port stays bound, the peer never sees the end). More pods starting at once only
  // widen the window in which another thread's fresh descriptors are open.
  posix_spawn_file_actions_addclosefrom_np(&actions, report_fd >= 0 ? 4 : 3);
  // A session of its own (no terminal signals from the agent's), default signal handling and
  // no blocked signals whatever the agent's threads had.
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return Error{"create_failed", "spawn shim " + argv[0] + ": " + std::strerror(rc)};
  return pid;
}

Result<int> wait_for_exit(pid_t pid, std::int64_t timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  auto pause = std::chrono::milliseconds(1);
  while (true) {
    int status = 0;
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    if (done < 0 && errno != EINTR)
      return Error{"io", std::string("waitpid: ") + std::strerror(errno)};
    if (Clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return Error{"timeout", "shim " + std::to_string(pid) + " did not finish in time"};
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

Result<std::string> read_with_deadline(int fd, std::int64_t timeout_ms, std::size_t max_bytes,
                                       bool stop_at_newline) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string out;
  char buf[16 * 1024];
  while (true) {
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(ms_left(deadline), 1000)));
    if (ready < 0 && errno != EINTR)
      return Error{"io", std::string("poll: ") + std::strerror(errno)};
    if (ready <= 0) {
      if (Clock::now() >= deadline) return Error{"timeout", "no answer in time"};
      continue;
    }
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return out;
    std::size_t room = max_bytes > out.size() ? max_bytes - out.size() : 0;
    out.append(buf, std::min(room, static_cast<std::size_t>(n)));
    if (stop_at_newline && out.find('\n') != std::string::npos) return out;
  }
}

}  // namespace craton::agent::linux_driver
