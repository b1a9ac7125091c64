// linux_driver.hpp: start_sandbox and remove_sandbox, and the loopback-only test network.
#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "actors/agent/linux/cgroups.hpp"
#include "actors/agent/linux/linux_driver.hpp"
#include "actors/agent/linux/process_info.hpp"

namespace craton::agent {
namespace fs = std::filesystem;
using namespace linux_driver;

namespace {

/// The node's first non-loopback IPv4 address that is up: a hostNetwork pod's IP.
std::string host_address() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return "";
  std::string found;
  for (ifaddrs* a = list; a != nullptr && found.empty(); a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    if ((a->ifa_flags & IFF_UP) == 0 || (a->ifa_flags & IFF_LOOPBACK) != 0) continue;
    char text[INET_ADDRSTRLEN];
    auto* in = reinterpret_cast<sockaddr_in*>(a->ifa_addr);
    if (::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text)) found = text;
  }
  ::freeifaddrs(list);
  return found;
}

/// Binds the calling thread's namespace of `kind` over <dir>/<kind> so that it outlives the
/// thread, as `ip netns add` does. /proc/thread-self: the thread's own, not the process's.
Status hold_namespace(const std::string& dir, const char* kind) {
  std::string target = dir + "/" + kind;
  int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0444);
  if (fd < 0)
    return Error{"create_failed", "sandbox: create " + target + ": " + std::strerror(errno)};
  ::close(fd);
  std::string source = std::string("/proc/thread-self/ns/") + kind;
  if (::mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0)
    return Error{"create_failed",
                 "sandbox: bind " + source + " on " + target + ": " + std::strerror(errno)};
  return Ok{};
}

/// Unmounts a namespace file if it is held; missing or not mounted is fine.
void release_namespace(const std::string& path) {
  ::umount2(path.c_str(), MNT_DETACH);
  ::unlink(path.c_str());
}

}  // namespace

Status LinuxDriver::create_namespaces(const SandboxSpec& spec) {
  std::string ns_dir = pod_dir(spec.pod_uid) + "/ns";
  std::error_code ec;
  fs::create_directories(ns_dir, ec);
  if (ec) return Error{"create_failed", "create " + ns_dir + ": " + ec.message()};
  // A thread of its own unshares and holds the namespaces, then ends: unshare() of the IPC,
  // UTS and network namespaces moves only the calling thread (as setns in in_netns), so no
  // other thread of the agent ever leaves the host's, and the ended thread cannot be reused
  // in the pod's by mistake. This used to be a `shim sandbox` process: a spawn, an exec and
  // the dynamic loader per pod for three system calls and three bind mounts.
  Status outcome = Ok{};
  std::thread worker([&] {
    // A hostNetwork pod shares the node's network and, as in Kubernetes, its hostname.
    int flags = CLONE_NEWIPC | (spec.host_network ? 0 : CLONE_NEWNET | CLONE_NEWUTS);
    if (::unshare(flags) != 0) {
      outcome = Error{"create_failed", std::string("sandbox: unshare: ") + std::strerror(errno)};
      return;
    }
    if (!spec.host_network && ::sethostname(spec.hostname.data(), spec.hostname.size()) != 0) {
      outcome = Error{"create_failed",
                      "sandbox: sethostname " + spec.hostname + ": " + std::strerror(errno)};
      return;
    }
    for (const char* kind : {"ipc", "uts", "net"}) {
      if (spec.host_network && std::strcmp(kind, "ipc") != 0) break;
      if (auto held = hold_namespace(ns_dir, kind); !held) {
        outcome = held;
        return;
      }
    }
  });
  worker.join();
  return outcome;
}

Result<SandboxStatus> LinuxDriver::start_sandbox(const SandboxSpec& spec) {
  if (!is_safe_path_component(spec.pod_uid))
    return Error{"invalid", "pod uid '" + spec.pod_uid + "'"};
  if (spec.hostname.empty() || spec.hostname.size() > 64)
    return Error{"invalid", "hostname '" + spec.hostname + "' is empty or over 64 bytes"};
  std::string state_file = pod_dir(spec.pod_uid) + "/sandbox.json";
  if (auto text = read_file(state_file)) {
    if (auto state = decode_sandbox_state(text.value()))
      return SandboxStatus{state->pod_uid, state->pod_ip};
  }
  // Half made by a driver that died mid-way: start over from nothing.
  if (fs::exists(pod_dir(spec.pod_uid))) {
    if (auto s = remove_sandbox(spec.pod_uid); !s) return s.error();
  }
  auto fail = [&](Error error) -> Result<SandboxStatus> {
    (void)remove_sandbox(spec.pod_uid);
    return error;
  };
  if (auto s = create_namespaces(spec); !s) return fail(s.error());
  SandboxState state{spec.pod_uid,  spec.pod_namespace, spec.pod_name,
                     spec.hostname, spec.host_network,  ""};
  if (spec.host_network) {
    state.pod_ip = host_address();
  } else {
    auto ip = network_.attach(spec.pod_uid, pod_dir(spec.pod_uid) + "/ns/net");
    if (!ip) return fail(ip.error());
    state.pod_ip = ip.value();
  }
  if (auto s = write_file_atomic(state_file, encode(state)); !s) return fail(s.error());
  return SandboxStatus{state.pod_uid, state.pod_ip};
}

Status LinuxDriver::wait_for_shims(const std::string& uid) {
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.kill_timeout_ms);
  for (const auto& name : directory_entries(pod_dir(uid) + "/containers")) {
    for (int attempt : attempts_of(uid, name)) {
      auto text = read_file(attempt_dir(uid, name, attempt) + "/started.json");
      if (!text) continue;
      auto started = decode_container_started(text.value());
      if (!started) continue;
      while (process_is(started->shim_pid, started->shim_start_ticks)) {
        if (std::chrono::steady_clock::now() > deadline)
          return Error{"busy", "shim " + std::to_string(started->shim_pid) + " did not exit"};
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  }
  return Ok{};
}

Status LinuxDriver::remove_sandbox(const std::string& pod_uid) {
  if (!is_safe_path_component(pod_uid)) return Error{"invalid", "pod uid '" + pod_uid + "'"};
  // Killing the cgroups' processes ends every container; their shims then record the exits
  // and leave, and the containers' mount namespaces (overlay, /proc, /dev) die with them.
  if (auto s = remove_cgroup_tree(cgroup_version_, pod_cgroup(pod_uid), config_.kill_timeout_ms);
      !s)
    return s;
  if (auto s = wait_for_shims(pod_uid); !s) return s;
  if (auto s = network_.detach(pod_uid); !s) return s;
  for (const char* kind : {"net", "ipc", "uts"})
    release_namespace(pod_dir(pod_uid) + "/ns/" + kind);
  std::error_code ec;
  fs::remove_all(pod_dir(pod_uid), ec);
  if (ec) return Error{"busy", "remove " + pod_dir(pod_uid) + ": " + ec.message()};
  fs::remove_all(config_.log_dir + "/" + pod_uid, ec);
  if (ec) return Error{"busy", "remove logs of " + pod_uid + ": " + ec.message()};
  return Ok{};
}

Result<std::string> LoopbackOnlyNetwork::attach(const std::string&, const std::string& netns_path) {
  // setns(CLONE_NEWNET) moves only the calling thread, so a short-lived thread does the work
  // and the caller's thread never leaves the host's network.
  std::string error;
  std::thread worker([&] {
    int fd = ::open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) {
      error = "join " + netns_path + ": " + std::strerror(errno);
      if (fd >= 0) ::close(fd);
      return;
    }
    ::close(fd);
    int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ifreq request{};
    std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
    if (sock < 0 || ::ioctl(sock, SIOCGIFFLAGS, &request) != 0) {
      error = std::string("read lo's flags: ") + std::strerror(errno);
    } else {
      request.ifr_flags |= IFF_UP;
      if (::ioctl(sock, SIOCSIFFLAGS, &request) != 0)
        error = std::string("bring lo up: ") + std::strerror(errno);
    }
    if (sock >= 0) ::close(sock);
  });
  worker.join();
  if (!error.empty()) return Error{"network_failed", error};
  return std::string("127.0.0.1");
}

Status LoopbackOnlyNetwork::detach(const std::string&) {
  return Ok{};
}

}  // namespace craton::agent
