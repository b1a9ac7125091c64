// Reading the host's figures (see the header).
#include "actors/agent/linux/host_facts.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

namespace craton::agent {
namespace {

constexpr std::size_t kSmallFileBytesMax = 64 * 1024;  // os-release, meminfo, route

Error host(const std::string& message) {
  return Error{"host", message};
}

std::string read_small_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::string text(kSmallFileBytesMax, '\0');
  in.read(text.data(), std::streamsize(text.size()));
  text.resize(std::size_t(in.gcount()));
  return text;
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// A /proc/meminfo field in bytes ("MemTotal:  16318472 kB"); -1 when absent.
std::int64_t meminfo_bytes(const std::string& meminfo, const std::string& field) {
  std::istringstream in(meminfo);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) != 0) continue;
    std::istringstream fields(line.substr(field.size() + 1));
    std::int64_t kib = -1;
    fields >> kib;
    return kib < 0 ? -1 : kib * 1024;
  }
  return -1;
}

std::string ipv4_of(const std::string& interface) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return {};
  std::string address;
  for (auto* a = list; a != nullptr && address.empty(); a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    if (interface != a->ifa_name) continue;
    char text[INET_ADDRSTRLEN] = {};
    auto* in = reinterpret_cast<sockaddr_in*>(a->ifa_addr);
    if (inet_ntop(AF_INET, &in->sin_addr, text, sizeof text) != nullptr) address = text;
  }
  freeifaddrs(list);
  return address;
}

Status read_cpu_and_memory(const HostFactsOptions& options, HostFacts& facts) {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0)
    return host(std::string("sched_getaffinity: ") + std::strerror(errno));
  facts.cpu_cores = CPU_COUNT(&set);
  auto meminfo = read_small_file(options.proc_dir + "/meminfo");
  facts.memory_bytes = meminfo_bytes(meminfo, "MemTotal");
  facts.memory_available_bytes = meminfo_bytes(meminfo, "MemAvailable");
  if (facts.cpu_cores <= 0 || facts.memory_bytes <= 0)
    return host("cannot read the CPU count or " + options.proc_dir + "/meminfo MemTotal");
  if (facts.memory_available_bytes < 0) facts.memory_available_bytes = facts.memory_bytes;
  return Ok{};
}

Status read_storage(const HostFactsOptions& options, HostFacts& facts) {
  struct statvfs fs {};
  if (statvfs(options.data_dir.c_str(), &fs) != 0)
    return host("statvfs " + options.data_dir + ": " + std::strerror(errno));
  facts.storage_bytes = std::int64_t(fs.f_blocks) * std::int64_t(fs.f_frsize);
  facts.storage_available_bytes = std::int64_t(fs.f_bavail) * std::int64_t(fs.f_frsize);
  return Ok{};
}

}  // namespace

std::string go_arch(const std::string& machine) {
  if (machine == "x86_64") return "amd64";
  if (machine == "aarch64" || machine == "arm64") return "arm64";
  if (machine == "i386" || machine == "i686") return "386";
  if (machine.rfind("armv", 0) == 0) return "arm";
  if (machine == "ppc64le") return "ppc64le";
  if (machine == "s390x") return "s390x";
  if (machine == "riscv64") return "riscv64";
  return machine;
}

std::string os_release_pretty_name(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("PRETTY_NAME=", 0) != 0) continue;
    std::string value = trimmed(line.substr(12));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    return value;
  }
  return {};
}

std::string default_route_interface(const std::string& text) {
  // Iface Destination Gateway Flags ...: the default route has destination and mask 0.
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string iface, destination, gateway, flags, refcnt, use, metric, mask;
    if (!(fields >> iface >> destination >> gateway >> flags >> refcnt >> use >> metric >> mask))
      continue;
    if (destination == "00000000" && mask == "00000000") return iface;
  }
  return {};
}

Result<HostFacts> read_host_facts(const HostFactsOptions& options) {
  HostFacts facts;
  if (auto s = read_cpu_and_memory(options, facts); !s) return s.error();
  if (auto s = read_storage(options, facts); !s) return s.error();
  utsname uts{};
  if (uname(&uts) != 0) return host(std::string("uname: ") + std::strerror(errno));
  facts.kernel_version = uts.release;
  facts.architecture = go_arch(uts.machine);
  facts.os_image = os_release_pretty_name(read_small_file(options.os_release));
  if (facts.os_image.empty()) facts.os_image = "Linux";
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) == 0) facts.hostname = name;
  facts.internal_ip = options.internal_ip;
  if (facts.internal_ip.empty())
    facts.internal_ip =
        ipv4_of(default_route_interface(read_small_file(options.proc_dir + "/net/route")));
  facts.machine_id = trimmed(read_small_file("/etc/machine-id"));
  facts.boot_id = trimmed(read_small_file(options.proc_dir + "/sys/kernel/random/boot_id"));
  return facts;
}

}  // namespace craton::agent
