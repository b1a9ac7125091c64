// shim.hpp: the verb dispatcher and the `sandbox` verb.
#include "actors/agent/linux/shim.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace craton::agent::linux_driver {
namespace {

int fail(const std::string& what) {
  std::fprintf(stderr, "%s: %s\n", what.c_str(), std::strerror(errno));
  return 1;
}

/// Binds this process's namespace of `kind` over <dir>/<kind> so it outlives the process.
int hold_namespace(const std::string& dir, const char* kind) {
  std::string target = dir + "/" + kind;
  int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0444);
  if (fd < 0) return fail("create " + target);
  ::close(fd);
  std::string source = std::string("/proc/self/ns/") + kind;
  if (::mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0)
    return fail("bind " + source + " on " + target);
  return 0;
}

}  // namespace

int run_shim(int argc, char** argv) {
  if (argc < 1) {
    std::fprintf(stderr, "usage: shim sandbox|start|exec ...\n");
    return 2;
  }
  std::string verb = argv[0];
  if (verb == "sandbox") return run_shim_sandbox(argc - 1, argv + 1);
  if (verb == "start") return run_shim_start(argc - 1, argv + 1);
  if (verb == "exec") return run_shim_exec(argc - 1, argv + 1);
  std::fprintf(stderr, "shim: unknown verb '%s'\n", verb.c_str());
  return 2;
}

int run_shim_sandbox(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: shim sandbox <ns dir> <hostname> <host network 0|1>\n");
    return 2;
  }
  std::string dir = argv[0];
  std::string hostname = argv[1];
  bool host_network = std::string(argv[2]) == "1";
  // A hostNetwork pod shares the node's network and, as in Kubernetes, its hostname.
  int flags = CLONE_NEWIPC | (host_network ? 0 : CLONE_NEWNET | CLONE_NEWUTS);
  if (::unshare(flags) != 0) return fail("unshare");
  if (!host_network && ::sethostname(hostname.data(), hostname.size()) != 0)
    return fail("sethostname " + hostname);
  if (int rc = hold_namespace(dir, "ipc"); rc != 0) return rc;
  if (host_network) return 0;
  if (int rc = hold_namespace(dir, "uts"); rc != 0) return rc;
  return hold_namespace(dir, "net");
}

}  // namespace craton::agent::linux_driver
