// LinuxDriver: PodDriver on a real Linux kernel, in rkt's and containerd-shim's model. A pod's
// sandbox is its network, IPC and UTS namespaces held by bind mounts (no process); each
// container attempt is supervised by its own shim process (shim.hpp), which is not the
// agent's child, so the agent may die, restart and re-adopt running containers from what the
// state directory holds (state_files.hpp) without touching them. README.md in this folder
// describes the layout on disk, the cgroups and what remove_sandbox removes.
//
// Thread-safety: calls for different pods may run concurrently; calls for one pod must be
// serialised by the caller (PodDriver's contract), except list() and read_log(), which only
// read files and /proc and tolerate anything disappearing under them. The object holds no
// per-pod memory: a new driver over the same state directory sees exactly what the old one saw.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/agent/driver/pod_driver.hpp"
#include "actors/agent/linux/sandbox_network.hpp"
#include "actors/agent/linux/state_files.hpp"
#include "storage/images/image_types.hpp"

namespace craton::agent {

struct LinuxDriverConfig {
  std::string state_dir = "/var/lib/craton/agent";  ///< pods/<uid>/... (state_files.hpp)
  std::string log_dir = "/var/log/craton/pods";     ///< <uid>/<name>/<attempt>/<offset>.log
  std::string cgroup_root = "craton";  ///< under each hierarchy: <root>/<uid>/<name>_<attempt>
  /// argv prefix of the shim; production: {"/proc/self/exe", "shim"}.
  std::vector<std::string> shim_command;
  std::int64_t shim_timeout_ms = 30'000;  ///< a sandbox or a container start, at most
  std::int64_t kill_timeout_ms = 10'000;  ///< remove_sandbox waiting for processes to go
  std::size_t exec_output_bytes_max = 64 * 1024;
};

class LinuxDriver final : public PodDriver {
 public:
  /// `images` and `network` must outlive the driver. Detects the cgroup version once.
  LinuxDriver(LinuxDriverConfig config, images::ImageResolver& images, SandboxNetwork& network);

  Result<SandboxStatus> start_sandbox(const SandboxSpec& spec) override;
  Status remove_sandbox(const std::string& pod_uid) override;
  Result<ContainerStatus> start_container(const std::string& pod_uid, const ContainerSpec& spec,
                                          int attempt) override;
  Status signal_container(const std::string& pod_uid, const std::string& name, int signal) override;
  Status remove_container(const std::string& pod_uid, const std::string& name,
                          int attempt) override;
  std::vector<PodRecord> list() override;
  Result<ExecResult> exec(const std::string& pod_uid, const std::string& name,
                          const std::vector<std::string>& argv, std::int64_t timeout_ms) override;
  ProbeOutcome probe_http(const HttpProbe& probe) override;
  ProbeOutcome probe_tcp(const TcpProbe& probe) override;
  Result<LogChunk> read_log(const std::string& pod_uid, const std::string& name,
                            const LogQuery& query) override;

  /// The cgroup version detected at construction.
  linux_driver::CgroupVersion cgroup_version() const { return cgroup_version_; }
  /// Where a pod's state lives (for tests and diagnostics).
  std::string pod_dir(const std::string& pod_uid) const;

 private:
  std::string attempt_dir(const std::string& uid, const std::string& name, int attempt) const;
  std::string attempt_log_dir(const std::string& uid, const std::string& name, int attempt) const;
  std::string pod_cgroup(const std::string& uid) const;
  std::vector<int> attempts_of(const std::string& uid, const std::string& name) const;
  std::optional<ContainerStatus> attempt_status(const std::string& uid, const std::string& name,
                                                int attempt) const;
  Result<linux_driver::ShimConfig> shim_config(const std::string& uid,
                                               const linux_driver::SandboxState& sandbox,
                                               const ContainerSpec& spec, int attempt);
  Result<ContainerStatus> launch(const linux_driver::ShimConfig& config);
  Status create_namespaces(const SandboxSpec& spec);
  Status wait_for_shims(const std::string& uid);

  LinuxDriverConfig config_;
  images::ImageResolver& images_;
  SandboxNetwork& network_;
  linux_driver::CgroupVersion cgroup_version_;
};

/// A SandboxNetwork for tests and single-node trials: brings `lo` up in the pod's namespace and
/// nothing else. The pod's address is "127.0.0.1", reachable only from inside the pod (probes
/// from the host reach the host's own loopback instead).
class LoopbackOnlyNetwork final : public SandboxNetwork {
 public:
  Result<std::string> attach(const std::string& pod_uid, const std::string& netns_path) override;
  Status detach(const std::string& pod_uid) override;
};

}  // namespace craton::agent
