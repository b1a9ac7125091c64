// Container cgroups on whichever hierarchy the host runs: v1 (a directory per controller:
// memory, cpu, pids) or v2 (one unified directory). A container's cgroup is
// "<root>/<pod uid>/<name>_<attempt>" under each hierarchy; nothing else of the host's cgroups
// is touched (v2: the root's and our own directories' cgroup.subtree_control, which must
// enable the controllers we set).
#pragma once

#include <string>
#include <vector>

#include "actors/agent/driver/pod_driver.hpp"
#include "actors/agent/linux/state_files.hpp"
#include "runtime/result.hpp"

namespace craton::agent::linux_driver {

/// Where the host mounts its cgroups.
inline constexpr const char* kCgroupMount = "/sys/fs/cgroup";

/// v2 when /sys/fs/cgroup is a cgroup2 file system, otherwise v1 (a hybrid host is v1: its
/// cgroup2 at /sys/fs/cgroup/unified holds no controllers).
CgroupVersion detect_cgroup_version();

/// The absolute directories of `path` (relative to the hierarchies' roots): three on v1
/// (memory, cpu, pids), one on v2.
std::vector<std::string> cgroup_dirs(CgroupVersion version, const std::string& path);

/// Creates the container's cgroup (and its parents) and writes its limits.
Status create_container_cgroup(CgroupVersion version, const std::string& path,
                               const ContainerResources& resources);

/// Moves `pid` into the cgroup on every hierarchy.
Status join_cgroup(CgroupVersion version, const std::string& path, int pid);

/// Whether the kernel's OOM killer killed a process of the cgroup (memory.oom_control's or
/// memory.events' oom_kill counter above zero).
bool cgroup_saw_oom_kill(CgroupVersion version, const std::string& path);

/// Processes in the cgroup or below it, on any hierarchy; none when it does not exist.
std::vector<int> cgroup_processes(CgroupVersion version, const std::string& path);

/// SIGKILLs every process in the cgroup tree at `path`, waits (up to timeout_ms) for them to
/// leave and removes the directories deepest first. Succeeds when the tree is gone.
Status remove_cgroup_tree(CgroupVersion version, const std::string& path, std::int64_t timeout_ms);

}  // namespace craton::agent::linux_driver
