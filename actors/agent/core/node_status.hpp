// NodeStatus: what the node agent says about its host, as the kubelet says it: the Node object
// it registers (labels, taints, spec.podCIDR) and the status it posts (capacity, allocatable,
// conditions, addresses, nodeInfo, daemonEndpoints), built from HostFacts (what the host
// measured, actors/agent/linux/host_facts.hpp) and NodeConfig (what the operator asked for).
// Pure: no clock (times come in), no I/O; the JSON is Kubernetes' (the service decodes it into
// the API's Cap'n Proto Node with KubeJson).
//
// Promises, as kubelet v1.32 does (pkg/kubelet/nodestatus, kubelet_node_status.go):
// - capacity: cpu (cores), memory and ephemeral-storage in bytes (binary SI, "8148508Ki"),
//   pods (max_pods), hugepages-1Gi/-2Mi "0"; quantities in kube's canonical form;
// - allocatable = capacity - system-reserved - kube-reserved - the hard eviction threshold
//   (memory.available 100Mi, nodefs.available 10%), never below zero;
// - conditions MemoryPressure, DiskPressure, PIDPressure, Ready in that order with the
//   kubelet's reasons and messages; a pressure is True when what is available is under the
//   eviction threshold; lastTransitionTime moves only when a condition's status changes
//   (ConditionTimes keeps that memory);
// - labels kubernetes.io/hostname, kubernetes.io/os, kubernetes.io/arch,
//   node.kubernetes.io/instance-type (when given); the operator's labels win over these
//   defaults (as --node-labels do) but may not use the kubernetes.io / k8s.io namespaces
//   beyond what kubelet allows (check_node_config refuses them with a clear message).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "runtime/result.hpp"

namespace craton::agent {

/// What the host measured (read_host_facts in actors/agent/linux/host_facts.hpp, or a test's).
struct HostFacts {
  std::int64_t cpu_cores = 0;  ///< CPUs this process may run on
  std::int64_t memory_bytes = 0;
  std::int64_t memory_available_bytes = 0;  ///< MemAvailable
  std::int64_t storage_bytes = 0;           ///< the data directory's filesystem
  std::int64_t storage_available_bytes = 0;
  std::string kernel_version;  ///< uname -r
  std::string os_image;        ///< /etc/os-release PRETTY_NAME
  std::string operating_system = "linux";
  std::string architecture;  ///< GOARCH: amd64, arm64, ...
  std::string hostname;
  std::string internal_ip;  ///< the default route's interface address; may be empty
  std::string machine_id;   ///< /etc/machine-id; may be empty
  std::string boot_id;      ///< /proc/sys/kernel/random/boot_id; may be empty
};

/// Resources held back from pods (kubelet's --system-reserved and --kube-reserved).
struct Reservation {
  std::int64_t cpu_milli = 0;
  std::int64_t memory_bytes = 0;
  std::int64_t ephemeral_storage_bytes = 0;
};

struct NodeTaint {
  std::string key, value, effect;
};

/// What the operator asked for (`craton agent` flags).
struct NodeConfig {
  std::string name;  ///< the Node's name; a DNS-1123 subdomain
  std::map<std::string, std::string> labels;
  std::vector<NodeTaint> taints;  ///< registered with the Node, never re-applied afterwards
  std::string pod_cidr;           ///< empty: not set (the overlay may assign one later)
  std::string instance_type;      ///< empty: no instance-type label
  Reservation system_reserved;
  Reservation kube_reserved;
  std::int64_t eviction_memory_bytes = 100 * 1024 * 1024;  ///< memory.available<100Mi
  int eviction_storage_percent = 10;                       ///< nodefs.available<10%
  std::int64_t max_pods = 110;
  std::string version = "v1.32.0-craton";  ///< kubeletVersion; runtime "craton://" + it
  int daemon_port = 10250;                 ///< daemonEndpoints.kubeletEndpoint.Port
  /// Extended resources the node advertises, as a device plugin registers them with kubelet
  /// (e.g. "nvidia.com/gpu": 2): added to capacity and allocatable as given (no reservation
  /// is taken from them). Names are domain-qualified ("example.com/thing") outside the
  /// kubernetes.io and k8s.io namespaces; counts are integers >= 0. The simulator's research
  /// runs use it for GPUs (docs/research.md "GPU sharing").
  std::map<std::string, std::int64_t> extended_resources;
};

/// Errors "invalid": a bad node name, label, taint, pod CIDR, a negative reservation or a bad
/// extended resource (name not domain-qualified, or in kubernetes.io; negative count); the
/// message names what is wrong.
Status check_node_config(const NodeConfig& config);

/// Errors "invalid": the host's internal IP is set but no IPv4 or IPv6 address. It becomes the
/// Node's InternalIP and every pod's status.hostIP, which the API refuses when malformed: an
/// agent that used it would start pods whose statuses never reach the API (kubelet, too,
/// refuses a --node-ip it cannot parse).
Status check_host_facts(const HostFacts& facts);

/// What the agent knows beyond the host's figures (runtime health).
struct NodeHealth {
  std::string not_ready_message;  ///< empty: Ready; else Ready=False with this message
};

struct NodeCondition {
  std::string type, status, reason, message;
  std::int64_t heartbeat_ms = 0;   ///< wall clock
  std::int64_t transition_ms = 0;  ///< wall clock
  bool operator==(const NodeCondition&) const = default;
};

/// The four conditions, without times.
std::vector<NodeCondition> node_conditions(const HostFacts& facts, const NodeConfig& config,
                                           const NodeHealth& health);

/// Remembers each condition's status and since when it holds, so that lastTransitionTime
/// only moves when the status changes (and starts at the first time it is seen).
class ConditionTimes {
 public:
  /// Sets heartbeat_ms = now_ms and transition_ms on every condition.
  void stamp(std::vector<NodeCondition>& conditions, std::int64_t now_wall_ms);

 private:
  struct Seen {
    std::string status;
    std::int64_t since_ms = 0;
  };
  std::map<std::string, Seen> seen_;
};

/// The labels the agent sets on its Node: the defaults and then the operator's.
std::map<std::string, std::string> node_labels(const HostFacts& facts, const NodeConfig& config);

/// status: capacity, allocatable, conditions, addresses, nodeInfo, daemonEndpoints.
nlohmann::json node_status_json(const HostFacts& facts, const NodeConfig& config,
                                const std::vector<NodeCondition>& conditions);

/// The whole Node to register: metadata (name, labels), spec (podCIDR, taints) and status.
nlohmann::json node_json(const HostFacts& facts, const NodeConfig& config,
                         const std::vector<NodeCondition>& conditions);

/// The status with every heartbeat time removed: two statuses that differ only in heartbeats
/// have the same fingerprint (what decides whether a change must be posted now).
std::string status_fingerprint(const nlohmann::json& status);

/// Kubernetes' canonical quantity of a byte count (binary SI: "8148508Ki", "1Gi", "1023").
std::string byte_quantity(std::int64_t bytes);

/// Parses "cpu=100m,memory=256Mi,ephemeral-storage=1Gi" (kubelet's --system-reserved).
/// Errors "invalid": an unknown resource, a malformed or negative quantity.
Result<Reservation> parse_reservation(const std::string& text);

}  // namespace craton::agent
