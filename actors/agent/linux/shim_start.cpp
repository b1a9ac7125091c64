// shim.hpp: the `start` verb, which supervises one container attempt from fork to exit.
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "actors/agent/linux/cgroups.hpp"
#include "actors/agent/linux/container_command.hpp"
#include "actors/agent/linux/container_mounts.hpp"
#include "actors/agent/linux/log_file.hpp"
#include "actors/agent/linux/process_info.hpp"
#include "actors/agent/linux/shim.hpp"
#include "actors/agent/linux/state_files.hpp"

namespace craton::agent::linux_driver {
namespace {

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return out;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

void report(const Error& error) {
  write_all(kShimReportFd, error.code + "\t" + error.message + "\n");
}

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::string text_in_rootfs(const ShimConfig& config, const char* path) {
  auto text = read_file(rootfs_dirs(config.attempt_dir).rootfs + path);
  return text ? text.value() : std::string();
}

/// Everything between the container's fork and its exec; returns only on failure.
Error become_container(const ShimConfig& config, int go_fd) {
  char go = 0;
  if (::read(go_fd, &go, 1) != 1) return Error{"create_failed", "the shim went away"};
  ::close(go_fd);
  if (::unshare(CLONE_NEWNS) != 0)
    return Error{"create_failed", std::string("unshare mount ns: ") + std::strerror(errno)};
  if (auto s = build_container_rootfs(config); !s) return s.error();
  auto ids =
      resolve_user(config.image_user, text_in_rootfs(config, "/etc/passwd"),
                   text_in_rootfs(config, "/etc/group"), config.run_as_user, config.run_as_group);
  if (!ids) return ids.error();
  if (auto s = enter_container_rootfs(config); !s) return s.error();
  gid_t gid = static_cast<gid_t>(ids->gid);
  if (::setgroups(1, &gid) != 0 || ::setgid(gid) != 0 ||
      ::setuid(static_cast<uid_t>(ids->uid)) != 0)
    return Error{"create_failed", std::string("set user: ") + std::strerror(errno)};
  if (::chdir(config.working_dir.c_str()) != 0)
    return Error{"create_failed",
                 "chdir to working directory " + config.working_dir + ": " + std::strerror(errno)};
  auto path = find_executable(config.argv[0], env_value(config.env, "PATH"), is_executable_file);
  if (!path) return path.error();
  std::vector<char*> argv;
  for (const auto& a : config.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : config.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  ::signal(SIGPIPE, SIG_DFL);
  ::execve(path->c_str(), argv.data(), envp.data());
  return Error{"start_failed", "exec " + config.argv[0] + ": " + std::strerror(errno)};
}

Status join_pod_namespaces(const ShimConfig& config) {
  for (const auto& [path, kind] :
       {std::pair{config.ipcns_path, CLONE_NEWIPC}, std::pair{config.utsns_path, CLONE_NEWUTS},
        std::pair{config.netns_path, CLONE_NEWNET}}) {
    if (path.empty()) continue;  // host network: the node's network and hostname
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::setns(fd, kind) != 0) {
      int err = errno;
      if (fd >= 0) ::close(fd);
      return Error{"create_failed", "join " + path + ": " + std::strerror(err)};
    }
    ::close(fd);
  }
  return Ok{};
}

/// Copies the container's output into its log until both streams close.
void pump_logs(int out_fd, int err_fd, RotatingLogWriter& log) {
  LogLineSplitter splitters[2] = {LogLineSplitter("stdout"), LogLineSplitter("stderr")};
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  int open_streams = 2;
  char buf[64 * 1024];
  while (open_streams > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      std::int64_t now = wall_clock_ns();
      auto records =
          n > 0 ? splitters[i].feed(std::string_view(buf, static_cast<std::size_t>(n)), now)
                : splitters[i].finish(now);
      for (const auto& r : records) (void)log.append(r);
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_streams;
      }
    }
  }
}

ContainerExit exit_of(const ShimConfig& config, int wait_status) {
  ContainerExit exit;
  exit.finished_at_ms = wall_clock_ms();
  if (WIFEXITED(wait_status)) exit.exit_code = WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) exit.exit_code = 128 + WTERMSIG(wait_status);
  bool oom = cgroup_saw_oom_kill(config.cgroup_version, config.cgroup_path);
  exit.reason = exit.exit_code == 0 ? "Completed" : (oom ? "OOMKilled" : "Error");
  return exit;
}

/// A start that failed once the cgroup may exist: the cgroup goes first, then the report, so
/// that nothing of the attempt is left once start_container returns.
int abandon(const ShimConfig& config, const Error& error) {
  (void)remove_cgroup_tree(config.cgroup_version, config.cgroup_path, 5000);
  report(error);
  return 1;
}

/// The supervisor: after the report, it only copies logs, waits and records the exit.
int supervise(const ShimConfig& config) {
  auto log = RotatingLogWriter::open(config.log_dir, config.log_max_bytes, config.log_max_files);
  if (!log) return report(log.error()), 1;
  if (auto s = create_container_cgroup(config.cgroup_version, config.cgroup_path, config.resources);
      !s)
    return abandon(config, s.error());
  if (auto s = join_pod_namespaces(config); !s) return abandon(config, s.error());
  int out[2], err[2], go[2], failure[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0 || ::pipe2(go, O_CLOEXEC) != 0 ||
      ::pipe2(failure, O_CLOEXEC) != 0)
    return abandon(config, {"create_failed", std::string("pipe: ") + std::strerror(errno)});
  if (::unshare(CLONE_NEWPID) != 0)
    return abandon(config,
                   {"create_failed", std::string("unshare pid ns: ") + std::strerror(errno)});
  pid_t child = ::fork();
  if (child < 0)
    return abandon(config, {"create_failed", std::string("fork: ") + std::strerror(errno)});
  if (child == 0) {
    ::close(kShimReportFd);  // the driver waits for the supervisor's report, not ours
    int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    ::dup2(null, 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    Error error = become_container(config, go[0]);
    write_all(failure[1], error.code + "\t" + error.message);
    ::_exit(127);
  }
  for (int fd : {out[1], err[1], go[0], failure[1]}) ::close(fd);
  // Into the cgroup before it runs a single instruction of its own: its limits hold from the
  // start and the shim's own memory is never charged to it.
  if (auto s = join_cgroup(config.cgroup_version, config.cgroup_path, child); !s) {
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    return abandon(config, s.error());
  }
  write_all(go[1], "g");
  ::close(go[1]);
  std::string failed = read_all(failure[0]);
  ::close(failure[0]);
  if (!failed.empty()) {
    ::waitpid(child, nullptr, 0);
    auto tab = failed.find('\t');
    if (tab == std::string::npos) return abandon(config, {"create_failed", failed});
    return abandon(config, {failed.substr(0, tab), failed.substr(tab + 1)});
  }
  ContainerStarted started{child, process_start_ticks(child), ::getpid(),
                           process_start_ticks(::getpid()), wall_clock_ms()};
  if (auto s = write_file_atomic(config.attempt_dir + "/started.json", encode(started)); !s) {
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    return abandon(config, {"create_failed", s.error().message});
  }
  write_all(kShimReportFd, "ok\n");
  ::close(kShimReportFd);
  pump_logs(out[0], err[0], log.value());
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  (void)write_file_atomic(config.attempt_dir + "/exit.json", encode(exit_of(config, status)));
  (void)remove_cgroup_tree(config.cgroup_version, config.cgroup_path, 10000);
  return 0;
}

}  // namespace

int run_shim_start(int argc, char** argv) {
  if (argc != 1) {
    std::fprintf(stderr, "usage: shim start <config.json>\n");
    return 2;
  }
  auto text = read_file(argv[0]);
  if (!text) return report({"create_failed", text.error().message}), 1;
  auto config = decode_shim_config(text.value());
  if (!config) return report({"create_failed", config.error().message}), 1;
  if (config->argv.empty()) return report({"create_failed", "no command to run"}), 1;
  // Fork away: the driver reaps this process at once, and the supervisor's parent becomes
  // init, so the agent dying or restarting changes nothing for the container.
  pid_t pid = ::fork();
  if (pid < 0) return report({"create_failed", std::string("fork: ") + std::strerror(errno)}), 1;
  if (pid > 0) return 0;
  ::signal(SIGPIPE, SIG_IGN);
  ::signal(SIGHUP, SIG_IGN);
  std::string shim_log = config->attempt_dir + "/shim.log";
  int log_fd = ::open(shim_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (log_fd >= 0) {
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    ::close(log_fd);
  }
  int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null >= 0) ::dup2(null, 0);
  if (null > 0) ::close(null);
  ::_exit(supervise(config.value()));
}

}  // namespace craton::agent::linux_driver
