// cgroups.hpp: creating, filling, inspecting and removing container cgroups (v1 and v2).
#include "actors/agent/linux/cgroups.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <thread>

#include "actors/agent/linux/cgroup_values.hpp"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

namespace craton::agent::linux_driver {
namespace fs = std::filesystem;
namespace {

constexpr const char* kV1Controllers[] = {"memory", "cpu", "pids"};

/// Cgroup files take one write of the whole value (no temporary file: they are not files).
Status write_value(const std::string& file, const std::string& value) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Error{"create_failed", "open " + file + ": " + std::strerror(errno)};
  ssize_t n = ::write(fd, value.data(), value.size());
  int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(value.size()))
    return Error{"create_failed", "write '" + value + "' to " + file + ": " + std::strerror(err)};
  return Ok{};
}

/// The number after `key` in a "key value" per line file; 0 when absent.
std::int64_t counter(const std::string& file, const std::string& key) {
  auto text = read_file(file);
  if (!text) return 0;
  std::istringstream in(text.value());
  std::string name;
  std::int64_t value = 0;
  while (in >> name >> value) {
    if (name == key) return value;
  }
  return 0;
}

Status write_v1_limits(const std::string& path, const ContainerResources& r) {
  std::string memory = std::string(kCgroupMount) + "/memory/" + path;
  std::string cpu = std::string(kCgroupMount) + "/cpu/" + path;
  std::string pids = std::string(kCgroupMount) + "/pids/" + path;
  if (r.memory_limit_bytes > 0) {
    auto limit = std::to_string(r.memory_limit_bytes);
    if (auto s = write_value(memory + "/memory.limit_in_bytes", limit); !s) return s;
    // Without swap accounting the file is missing; with it, swap must not dodge the limit.
    if (fs::exists(memory + "/memory.memsw.limit_in_bytes"))
      if (auto s = write_value(memory + "/memory.memsw.limit_in_bytes", limit); !s) return s;
  }
  auto shares = std::to_string(cpu_shares_for(r.cpu_request_milli));
  if (auto s = write_value(cpu + "/cpu.shares", shares); !s) return s;
  if (r.cpu_limit_milli > 0) {
    if (auto s = write_value(cpu + "/cpu.cfs_period_us", std::to_string(kCpuPeriodUs)); !s)
      return s;
    auto quota = std::to_string(cpu_quota_us_for(r.cpu_limit_milli));
    if (auto s = write_value(cpu + "/cpu.cfs_quota_us", quota); !s) return s;
  }
  if (r.pids_limit > 0)
    if (auto s = write_value(pids + "/pids.max", std::to_string(r.pids_limit)); !s) return s;
  return Ok{};
}

Status write_v2_limits(const std::string& dir, const ContainerResources& r) {
  if (r.memory_limit_bytes > 0) {
    if (auto s = write_value(dir + "/memory.max", std::to_string(r.memory_limit_bytes)); !s)
      return s;
    if (fs::exists(dir + "/memory.swap.max"))
      if (auto s = write_value(dir + "/memory.swap.max", "0"); !s) return s;
  }
  auto weight = cpu_weight_for_shares(cpu_shares_for(r.cpu_request_milli));
  if (auto s = write_value(dir + "/cpu.weight", std::to_string(weight)); !s) return s;
  std::string max = r.cpu_limit_milli > 0 ? std::to_string(cpu_quota_us_for(r.cpu_limit_milli))
                                          : std::string("max");
  if (auto s = write_value(dir + "/cpu.max", max + " " + std::to_string(kCpuPeriodUs)); !s)
    return s;
  if (r.pids_limit > 0)
    if (auto s = write_value(dir + "/pids.max", std::to_string(r.pids_limit)); !s) return s;
  return Ok{};
}

/// v2 only sets a controller's files in a child when every ancestor enables it for its
/// children; enable cpu, memory and pids from the mount down to the container's parent.
Status enable_v2_controllers(const std::string& path) {
  fs::path dir = kCgroupMount;
  fs::path relative = fs::path(path).parent_path();
  std::vector<fs::path> levels{dir};
  for (const auto& part : relative) levels.push_back(levels.back() / part);
  for (const auto& level : levels) {
    fs::create_directories(level);
    for (const char* controller : {"+cpu", "+memory", "+pids"}) {
      if (auto s = write_value((level / "cgroup.subtree_control").string(), controller); !s)
        return s;
    }
  }
  return Ok{};
}

std::vector<int> read_pids(const std::string& file) {
  std::vector<int> pids;
  auto text = read_file(file);
  if (!text) return pids;
  std::istringstream in(text.value());
  int pid = 0;
  while (in >> pid) pids.push_back(pid);
  return pids;
}

}  // namespace

CgroupVersion detect_cgroup_version() {
  struct statfs info {};
  if (::statfs(kCgroupMount, &info) == 0 &&
      static_cast<unsigned long>(info.f_type) == CGROUP2_SUPER_MAGIC)
    return CgroupVersion::v2;
  return CgroupVersion::v1;
}

std::vector<std::string> cgroup_dirs(CgroupVersion version, const std::string& path) {
  if (version == CgroupVersion::v2) return {std::string(kCgroupMount) + "/" + path};
  std::vector<std::string> dirs;
  for (const char* controller : kV1Controllers)
    dirs.push_back(std::string(kCgroupMount) + "/" + controller + "/" + path);
  return dirs;
}

Status create_container_cgroup(CgroupVersion version, const std::string& path,
                               const ContainerResources& resources) {
  if (version == CgroupVersion::v2) {
    if (auto s = enable_v2_controllers(path); !s) return s;
  }
  for (const auto& dir : cgroup_dirs(version, path)) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Error{"create_failed", "create cgroup " + dir + ": " + ec.message()};
  }
  if (version == CgroupVersion::v2)
    return write_v2_limits(cgroup_dirs(version, path)[0], resources);
  return write_v1_limits(path, resources);
}

Status join_cgroup(CgroupVersion version, const std::string& path, int pid) {
  for (const auto& dir : cgroup_dirs(version, path)) {
    if (auto s = write_value(dir + "/cgroup.procs", std::to_string(pid)); !s) return s;
  }
  return Ok{};
}

bool cgroup_saw_oom_kill(CgroupVersion version, const std::string& path) {
  if (version == CgroupVersion::v2)
    return counter(cgroup_dirs(version, path)[0] + "/memory.events", "oom_kill") > 0;
  return counter(std::string(kCgroupMount) + "/memory/" + path + "/memory.oom_control",
                 "oom_kill") > 0;
}

std::vector<int> cgroup_processes(CgroupVersion version, const std::string& path) {
  std::vector<int> all;
  for (const auto& dir : cgroup_dirs(version, path)) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    auto top = read_pids(dir + "/cgroup.procs");
    all.insert(all.end(), top.begin(), top.end());
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (!it->is_directory(ec)) continue;
      auto pids = read_pids(it->path().string() + "/cgroup.procs");
      all.insert(all.end(), pids.begin(), pids.end());
    }
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

Status remove_cgroup_tree(CgroupVersion version, const std::string& path, std::int64_t timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    auto pids = cgroup_processes(version, path);
    if (pids.empty()) break;
    for (int pid : pids) ::kill(pid, SIGKILL);
    if (std::chrono::steady_clock::now() > deadline)
      return Error{"busy", "processes still in cgroup " + path + " after SIGKILL"};
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (const auto& dir : cgroup_dirs(version, path)) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) continue;
    std::vector<fs::path> dirs;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (it->is_directory(ec)) dirs.push_back(it->path());
    }
    // Deepest first: a cgroup with children cannot be removed.
    std::sort(dirs.begin(), dirs.end(),
              [](const auto& a, const auto& b) { return a.string().size() > b.string().size(); });
    dirs.push_back(dir);
    for (const auto& d : dirs) {
      if (::rmdir(d.c_str()) != 0 && errno != ENOENT)
        return Error{"busy", "rmdir " + d.string() + ": " + std::strerror(errno)};
    }
  }
  return Ok{};
}

}  // namespace craton::agent::linux_driver
