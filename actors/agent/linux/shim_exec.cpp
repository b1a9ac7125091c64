// shim.hpp: the `exec` verb, a command run in a running container's namespaces and cgroup.
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
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
#include "actors/agent/linux/shim.hpp"
#include "actors/agent/linux/state_files.hpp"

namespace craton::agent::linux_driver {
namespace {

int fail(const std::string& what) {
  std::fprintf(stderr, "exec: %s\n", what.c_str());
  return 126;
}

/// Joins every namespace of `pid` but its user namespace; the mount namespace last, because
/// /proc of the host is needed until then.
bool join_namespaces_of(int pid, std::string& error) {
  const std::pair<const char*, int> kinds[] = {{"ipc", CLONE_NEWIPC},
                                               {"uts", CLONE_NEWUTS},
                                               {"net", CLONE_NEWNET},
                                               {"pid", CLONE_NEWPID},
                                               {"mnt", CLONE_NEWNS}};
  int fds[5];
  for (int i = 0; i < 5; ++i) {
    std::string path = "/proc/" + std::to_string(pid) + "/ns/" + kinds[i].first;
    fds[i] = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fds[i] < 0) {
      error = "open " + path + ": " + std::strerror(errno);
      return false;
    }
  }
  for (int i = 0; i < 5; ++i) {
    if (::setns(fds[i], kinds[i].second) != 0) {
      error = std::string("setns ") + kinds[i].first + ": " + std::strerror(errno);
      return false;
    }
    ::close(fds[i]);
  }
  return true;
}

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::string text_of(const char* path) {
  auto text = read_file(path);
  return text ? text.value() : std::string();
}

/// Inside the container's namespaces (the pid one takes effect in this forked child).
[[noreturn]] void run_command(const ShimConfig& config, std::vector<std::string> argv) {
  auto ids = resolve_user(config.image_user, text_of("/etc/passwd"), text_of("/etc/group"),
                          config.run_as_user, config.run_as_group);
  if (!ids) ::_exit(fail(ids.error().message));
  gid_t gid = static_cast<gid_t>(ids->gid);
  if (::setgroups(1, &gid) != 0 || ::setgid(gid) != 0 ||
      ::setuid(static_cast<uid_t>(ids->uid)) != 0)
    ::_exit(fail(std::string("set user: ") + std::strerror(errno)));
  // After setuid: a credential change clears the parent-death signal. The driver kills this
  // shim on timeout; the command must not outlive it.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::chdir(config.working_dir.c_str()) != 0) ::chdir("/");
  auto path = find_executable(argv[0], env_value(config.env, "PATH"), is_executable_file);
  if (!path) ::_exit(fail(path.error().message));
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : config.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  ::signal(SIGPIPE, SIG_DFL);
  ::execve(path->c_str(), args.data(), envp.data());
  ::_exit(fail("exec " + argv[0] + ": " + std::strerror(errno)) + 1);
}

}  // namespace

int run_shim_exec(int argc, char** argv) {
  if (argc < 3) return fail("usage: shim exec <config.json> <pid> <argv...>");
  auto text = read_file(argv[0]);
  if (!text) return fail(text.error().message);
  auto config = decode_shim_config(text.value());
  if (!config) return fail(config.error().message);
  int pid = std::atoi(argv[1]);
  if (pid <= 0) return fail("bad pid");
  std::vector<std::string> command(argv + 2, argv + argc);
  // Charged to the container like its own processes, as runc exec does.
  if (auto s = join_cgroup(config->cgroup_version, config->cgroup_path, ::getpid()); !s)
    return fail(s.error().message);
  std::string error;
  if (!join_namespaces_of(pid, error)) return fail(error);
  pid_t child = ::fork();
  if (child < 0) return fail(std::string("fork: ") + std::strerror(errno));
  if (child == 0) run_command(config.value(), std::move(command));
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

}  // namespace craton::agent::linux_driver
