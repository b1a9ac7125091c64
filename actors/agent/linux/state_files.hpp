// What the Linux driver keeps on disk, and the only place that knows its encoding (JSON). The
// agent re-adopts pods from these files after its own restart, and the shim, a separate
// process, reads its container's configuration from one and reports into two others. Layout
// (state_layout.hpp has the paths):
//   <state>/pods/<uid>/sandbox.json                         SandboxState (driver)
//   <state>/pods/<uid>/containers/<name>/<attempt>/config.json  ShimConfig (driver -> shim)
//   .../started.json                                        ContainerStarted (shim)
//   .../exit.json                                           ContainerExit (shim)
// Files are written whole (to a temporary name, then renamed) so a reader never sees half of
// one, and read with a size limit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/agent/driver/pod_driver.hpp"
#include "runtime/result.hpp"

namespace craton::agent::linux_driver {

/// Largest state file read back: these are small; anything bigger is not ours.
inline constexpr std::size_t kStateFileBytesMax = 1024 * 1024;

struct SandboxState {
  std::string pod_uid;
  std::string pod_namespace;
  std::string pod_name;
  std::string hostname;
  bool host_network = false;
  std::string pod_ip;
};

/// Which cgroup hierarchy the host runs.
enum class CgroupVersion { v1, v2 };

/// Everything the shim needs to start one attempt of one container, resolved by the driver.
struct ShimConfig {
  std::string pod_uid;
  std::string name;
  int attempt = 0;
  std::string container_id;  ///< 32 hex digits
  std::string image_id;
  std::string attempt_dir;  ///< holds config/started/exit and the overlay's upper, work, rootfs
  std::string netns_path;   ///< empty: the host's network
  std::string ipcns_path;
  std::string utsns_path;
  std::vector<std::string> layer_dirs;  ///< base first
  std::vector<std::string> argv;        ///< combined, argv[0] not yet looked up in PATH
  std::vector<std::string> env;         ///< "NAME=value"
  std::string working_dir;              ///< "/" when neither the pod nor the image says
  std::string image_user;
  std::optional<std::int64_t> run_as_user;
  std::optional<std::int64_t> run_as_group;
  std::vector<BindMount> mounts;
  CgroupVersion cgroup_version = CgroupVersion::v1;
  std::string cgroup_path;  ///< relative to each hierarchy's root: "<root>/<uid>/<name>_<attempt>"
  ContainerResources resources;
  std::string log_dir;  ///< this attempt's log segments live here
  std::int64_t log_max_bytes = 0;
  int log_max_files = 0;
};

/// Written by the shim once the container's process has exec'd.
struct ContainerStarted {
  int pid = 0;                       ///< the container's init, as the host sees it
  std::int64_t pid_start_ticks = 0;  ///< /proc/<pid>/stat field 22: tells a reused pid apart
  int shim_pid = 0;
  std::int64_t shim_start_ticks = 0;
  std::int64_t started_at_ms = 0;
};

/// Written by the shim once the container has exited.
struct ContainerExit {
  int exit_code = 0;
  std::int64_t finished_at_ms = 0;
  std::string reason;  ///< "Completed", "Error", "OOMKilled"
};

std::string encode(const SandboxState& state);
std::string encode(const ShimConfig& config);
std::string encode(const ContainerStarted& started);
std::string encode(const ContainerExit& exit);
Result<SandboxState> decode_sandbox_state(const std::string& text);
Result<ShimConfig> decode_shim_config(const std::string& text);
Result<ContainerStarted> decode_container_started(const std::string& text);
Result<ContainerExit> decode_container_exit(const std::string& text);

/// Pod uids and container names become path components: letters, digits, '-', '_', '.', never
/// "." or "..", at most 253 bytes.
bool is_safe_path_component(const std::string& name);

/// The names in `dir`, sorted; empty when it is missing. Never throws: another thread (the log
/// server's list() and read_log()) may be removing the directory meanwhile.
std::vector<std::string> directory_entries(const std::string& dir);

/// Writes `content` to path.tmp and renames it over path: a reader sees the old file or the
/// new one, never half of either, even if the writer dies midway. No fsync: these files
/// describe processes, namespaces and mounts that a machine crash ends anyway (after a reboot
/// the driver finds no live pid and reports the attempt exited), so making them durable
/// protected nothing and cost a disk flush per file, four per pod start.
Status write_file_atomic(const std::string& path, const std::string& content);
/// Reads a whole file of at most max_bytes; "not_found" when it does not exist.
Result<std::string> read_file(const std::string& path, std::size_t max_bytes = kStateFileBytesMax);

}  // namespace craton::agent::linux_driver
