// PodPlan: what the node agent needs of a Pod, read once out of the API's Cap'n Proto object
// into plain values: identity, restart policy, grace periods, deletion, and every container as
// the driver's ContainerSpec with its probes and preStop hook. Everything else of the agent
// works on a plan, never on the Cap'n Proto reader, so it can be built and compared in tests.
//
// plan_pod() validates what the agent relies on (names, probe handlers, named ports, resource
// quantities, times) and answers an Error naming the field; it never half-fills a plan.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/agent/driver/pod_driver.hpp"
#include "runtime/result.hpp"
#include "schemas/api_pod.capnp.h"

namespace craton::agent {

enum class RestartPolicy { always, on_failure, never };

/// One handler of a probe or a preStop hook: exactly one of exec, HTTP GET, TCP.
struct ProbeAction {
  enum class Type { exec, http, tcp };
  Type type = Type::exec;
  std::vector<std::string> command;  ///< exec
  HttpProbe http;                    ///< http: host empty = the pod IP
  TcpProbe tcp;                      ///< tcp: host empty = the pod IP
};

/// A probe with Kubernetes' defaults applied (period 10 s, timeout 1 s, thresholds 1 and 3).
struct ProbeSpec {
  ProbeAction action;
  std::int64_t initial_delay_ms = 0;
  std::int64_t period_ms = 10'000;
  std::int64_t timeout_ms = 1'000;
  int success_threshold = 1;
  int failure_threshold = 3;
  /// The probe's own terminationGracePeriodSeconds (used when it kills the container).
  std::optional<std::int64_t> termination_grace_ms;
};

/// One env or envFrom entry, kept in the order Kubernetes applies them (every envFrom, then
/// every env; a later name overrides an earlier one) because some are only known when the
/// container starts: configMap and secret values (they may change or appear later) and the
/// pod's and host's addresses. pod_env.hpp resolves them.
struct EnvSource {
  enum class Kind {
    value,           ///< name = value (literals and fields known when planning)
    pod_ip,          ///< fieldRef status.podIP / status.podIPs
    host_ip,         ///< fieldRef status.hostIP / status.hostIPs
    config_map_key,  ///< valueFrom.configMapKeyRef: source_name, key, optional
    secret_key,      ///< valueFrom.secretKeyRef
    config_map_all,  ///< envFrom.configMapRef: name is the prefix
    secret_all,      ///< envFrom.secretRef: name is the prefix
  };
  Kind kind = Kind::value;
  std::string name;
  std::string value;
  std::string source_name;
  std::string key;
  bool optional = false;
  bool expand = false;  ///< a literal env value: $(VAR) references expand (kube's rule)
};

struct ContainerPlan {
  /// spec.env holds the entries known when planning; the service's start call carries the
  /// whole list resolved (resolve_env) instead.
  ContainerSpec spec;
  std::vector<EnvSource> env_sources;
  std::optional<ProbeSpec> liveness;
  std::optional<ProbeSpec> readiness;
  std::optional<ProbeSpec> startup;
  std::optional<ProbeAction> pre_stop;
};

/// Where the agent prepares a volume's directory before containers start (emptyDir,
/// configMap, secret: under PlanLimits::volume_root; hostPath: the host's path itself).
struct VolumePlan {
  enum class Kind { empty_dir, host_path, config_map, secret };
  /// configMap/secret items: one key written at a relative path, with its own mode.
  struct KeyPath {
    std::string key;
    std::string path;
    std::optional<int> mode;
  };
  std::string name;
  Kind kind = Kind::empty_dir;
  std::string host_path;         ///< the directory bind-mounted into containers
  std::string source_name;       ///< configMap name or secretName
  std::string source_namespace;  ///< the pod's namespace, where the source is looked up
  std::string host_path_type;    ///< hostPath.type: "" (no check), Directory, FileOrCreate, ...
  bool memory_medium = false;    ///< emptyDir medium Memory: a tmpfs
  std::int64_t size_limit_bytes = 0;  ///< emptyDir sizeLimit (tmpfs size); 0 = none
  std::vector<KeyPath> items;         ///< empty: every key, as a file named after it
  int default_mode = 0644;
  bool optional = false;  ///< a missing source (or key) is an empty volume, not an error
};

struct PodPlan {
  std::string uid;
  std::string pod_namespace;
  std::string name;
  std::string node_name;
  std::string hostname;  ///< spec.hostname, else the pod's name
  RestartPolicy restart_policy = RestartPolicy::always;
  std::int64_t grace_period_ms = 30'000;          ///< spec.terminationGracePeriodSeconds
  std::optional<std::int64_t> deletion_ms;        ///< metadata.deletionTimestamp
  std::optional<std::int64_t> deletion_grace_ms;  ///< metadata.deletionGracePeriodSeconds
  bool host_network = false;
  std::vector<VolumePlan> volumes;
  std::vector<ContainerPlan> init_containers;  ///< run in this order, one at a time
  std::vector<ContainerPlan> containers;
};

/// What the node imposes on every plan.
struct PlanLimits {
  std::string volume_root = "/var/lib/craton/pods";  ///< <root>/<uid>/volumes/<name>
  std::int64_t pids_limit = 0;                       ///< per container; 0 = unlimited
  std::int64_t log_max_bytes = 10 * 1024 * 1024;
  int log_max_files = 5;
  std::size_t containers_max = 64;  ///< init and app containers together
  /// The node's allocatable CPU and memory: what env resourceFieldRef shows for an unset
  /// limit (kube's rule); 0 = unknown, and such a reference is refused.
  std::int64_t node_allocatable_cpu_milli = 0;
  std::int64_t node_allocatable_memory_bytes = 0;
};

/// Reads a pod into a plan. Error code "invalid_pod" with a message naming the field.
Result<PodPlan> plan_pod(schema::k8s::Pod::Reader pod, const PlanLimits& limits);

}  // namespace craton::agent
