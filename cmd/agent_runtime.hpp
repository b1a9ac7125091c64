// What a node agent runs pods with, assembled from its flags: the driver (the Linux driver
// over the local image store and the pod network, or the fake driver) and the agent's log
// server on the kubelet's port. Shared by `craton agent` and `craton up`.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "actors/agent/driver/pod_driver.hpp"
#include "actors/agent/logs/container_log_server.hpp"
#include "actors/agent/podnet/pod_network.hpp"
#include "actors/agent/service/agent_actor.hpp"
#include "actors/agent/service/job_runner.hpp"
#include "actors/agent/volumes/informer_sources.hpp"
#include "runtime/result.hpp"

namespace craton::cmd {

/// --workers at most: more threads than this only wait on the pod network's lock.
inline constexpr std::size_t kAgentWorkersMax = 64;

/// The flags of a node agent (`craton agent`; `craton up` fills them itself).
struct AgentFlags {
  std::string node_name, data_dir, pod_cidr, labels, taints, system_reserved, kube_reserved;
  std::string node_ip, instance_type;
  std::string driver = "linux";  ///< linux | fake
  std::int64_t max_pods = 110;
  int port = 10250;                   ///< the log server's (the kubelet's --port); 0: any
  std::string listen_ip = "0.0.0.0";  ///< the log server's address
  std::string bridge = "craton0";
  std::string cgroup_root = "craton";  ///< the pods' cgroups, under every hierarchy
  /// Pods whose driver calls run side by side (one pod's calls stay in order): JobRunnerConfig's
  /// default, which says why.
  std::size_t workers = agent::JobRunnerConfig{}.workers;
};

/// The driver's shim: craton-shim beside this binary (cmd/shim_main.cpp: it starts far
/// faster), else this binary's `craton shim`.
std::vector<std::string> shim_command();

/// The agent actor's configuration from the flags; "invalid" with a message naming the flag.
Result<agent::AgentActorConfig> agent_config(const AgentFlags& flags);

struct AgentRuntime {
  std::shared_ptr<agent::PodDriver> driver;
  /// ConfigMaps and Secrets (fed by the agent's informers) and where volumes are made; null
  /// with the fake driver.
  std::shared_ptr<agent::volumes::InformerVolumeSources> sources;
  std::shared_ptr<agent::VolumeHost> volumes;
  std::unique_ptr<agent::ContainerLogServer> logs;  ///< stop it before the driver goes
  /// The pod network the Linux driver plugs pods into (null with the fake driver): what a
  /// caller that made it for a while (`craton bench pods`) tears down afterwards.
  std::shared_ptr<agent::PodNetwork> network;
  std::uint16_t port() const { return logs->port(); }
};

/// Errors: "invalid" (flags), or what the image store, network or log server said.
Result<AgentRuntime> start_agent_runtime(const AgentFlags& flags);

/// Hands the runtime to the agent actor's configuration: its driver, volumes and sources, and
/// the log server's port as the Node's daemonEndpoints.
void attach_runtime(agent::AgentActorConfig& config, const AgentRuntime& runtime);

}  // namespace craton::cmd
