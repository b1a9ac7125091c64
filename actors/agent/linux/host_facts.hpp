// Reading the host the node agent runs on: the figures its Node reports (HostFacts, defined
// with the Node's status in actors/agent/core/node_status.hpp). Linux only; blocking file
// reads and syscalls, cheap enough to call on the agent's status timer (about a millisecond).
//
//   cores            sched_getaffinity (the CPUs this process may use, as nproc counts them)
//   memory           /proc/meminfo MemTotal and MemAvailable
//   ephemeral        statvfs of the data directory (its filesystem's size and free space)
//   kernel, arch     uname (-r, and -m mapped to Go's names: x86_64 -> amd64, aarch64 -> arm64)
//   OS image         /etc/os-release PRETTY_NAME ("Debian GNU/Linux 12 (bookworm)")
//   hostname         gethostname
//   InternalIP       the IPv4 address of the interface the default route leaves by
//                    (/proc/net/route), unless one is given
#pragma once

#include <string>

#include "actors/agent/core/node_status.hpp"
#include "runtime/result.hpp"

namespace craton::agent {

struct HostFactsOptions {
  std::string data_dir = "/";  ///< whose filesystem is the ephemeral storage
  std::string internal_ip;     ///< empty: the default route's interface address
  std::string proc_dir = "/proc";
  std::string os_release = "/etc/os-release";
};

/// Errors: "host" when the figures that must be there (cores, memory, the data directory's
/// filesystem, uname) cannot be read; the message names what failed. Absent optional facts
/// (os-release, a default route, machine-id) are left empty.
Result<HostFacts> read_host_facts(const HostFactsOptions& options);

/// Go's GOARCH name of a uname machine ("x86_64" -> "amd64"); unknown names are returned as-is.
std::string go_arch(const std::string& machine);

/// PRETTY_NAME of an os-release text, unquoted; "" when absent.
std::string os_release_pretty_name(const std::string& os_release_text);

/// The interface of the default route in a /proc/net/route text; "" when there is none.
std::string default_route_interface(const std::string& proc_net_route_text);

}  // namespace craton::agent
