// PodInfo: what the scheduler knows of a pod, decoded once from the API object by the converter
// (framework/object_converter.hpp) so that no plugin ever reads Cap'n Proto or JSON. Everything a
// default plugin asks is here, already parsed: the effective resource request (Kubernetes'
// max(sum of containers, each init container) + overhead, pods = 1), the request with
// Kubernetes' non-zero defaults used for scoring, node selector and affinity as matchers,
// tolerations, topology spread constraints, host ports, labels. A PodInfo is a value; it never
// changes once built (a changed pod is a new PodInfo).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/api/meta/label_selector.hpp"
#include "actors/scheduler/framework/resources.hpp"

namespace craton::scheduler {

/// Kubernetes' non-zero defaults for containers without a cpu or memory request (scoring only).
inline constexpr std::int64_t kDefaultMilliCpuRequest = 100;
inline constexpr std::int64_t kDefaultMemoryRequestBytes = 200 * 1024 * 1024;

enum class TaintEffect : std::uint8_t { none, no_schedule, prefer_no_schedule, no_execute };

struct Taint {
  std::string key;
  std::string value;
  TaintEffect effect = TaintEffect::none;
  /// "node(s) had untolerated taint {key: value}", made once so Filter never formats.
  std::string untolerated_reason;
};

enum class TolerationOperator : std::uint8_t { equal, exists, unknown };

struct Toleration {
  std::string key;
  TolerationOperator op = TolerationOperator::equal;
  std::string value;
  TaintEffect effect = TaintEffect::none;  ///< none tolerates every effect
  std::optional<std::int64_t> toleration_seconds;

  /// v1.Toleration.ToleratesTaint.
  bool tolerates(const Taint& taint) const;
};

enum class PortProtocol : std::uint8_t { tcp, udp, sctp };

/// A host port a container asks for (or a node has given out).
struct HostPort {
  std::string ip;  ///< "" and "0.0.0.0" mean every address
  PortProtocol protocol = PortProtocol::tcp;
  std::int32_t port = 0;

  /// Kubernetes' HostPortInfo.CheckConflict: same protocol and port, and the same address or
  /// either side on every address.
  bool conflicts_with(const HostPort& other) const;
};

/// A matchFields requirement: Kubernetes supports metadata.name with In or NotIn, one value.
struct FieldRequirement {
  bool not_in = false;
  std::string node_name;
};

/// One v1.NodeSelectorTerm: every expression on labels and every field requirement must hold.
/// An empty term, or one the converter could not read (unknown operator, Gt without an
/// integer), matches no node, as in Kubernetes.
struct NodeSelectorTerm {
  std::vector<api::Requirement> expressions;
  std::vector<FieldRequirement> fields;
  bool valid = true;

  bool matches(const api::Labels& labels, std::string_view node_name) const;
};

struct PreferredNodeTerm {
  std::int32_t weight = 0;
  NodeSelectorTerm term;
};

/// A pod (anti-)affinity term. Which pods it selects: those whose labels match `selector` (an
/// absent selector matches no pod, as Kubernetes' LabelSelectorAsSelector(nil)) in one of
/// `namespaces` or in a namespace whose labels match `namespace_selector`; `namespaces` is
/// defaulted to the owning pod's own namespace by the converter when neither namespaces nor a
/// namespace selector is given. An empty namespace selector means every namespace
/// (`all_namespaces`); a non-empty one is kept in `namespace_selector` and needs the labels of
/// the candidate pod's namespace (FrameworkHandle::namespaces()).
struct PodAffinityTerm {
  std::optional<api::LabelSelector> selector;
  std::vector<std::string> namespaces;
  bool all_namespaces = false;
  std::optional<api::LabelSelector> namespace_selector;  ///< non-empty, or nullopt
  std::string topology_key;
  std::int32_t weight = 0;  ///< 0 for required terms

  /// The term selects `pod`, whose namespace has the labels `pod_namespace_labels` (nullptr:
  /// unknown, so a namespace selector selects no namespace).
  bool selects(const struct PodInfo& pod, const api::Labels* pod_namespace_labels = nullptr) const;
};

enum class WhenUnsatisfiable : std::uint8_t { do_not_schedule, schedule_anyway };

/// A topology spread constraint, kept for the PodTopologySpread plugin (not written yet). An
/// absent selector matches no pod.
struct TopologySpreadConstraint {
  std::int32_t max_skew = 1;
  std::string topology_key;
  WhenUnsatisfiable when_unsatisfiable = WhenUnsatisfiable::do_not_schedule;
  std::optional<api::LabelSelector> selector;
  std::optional<std::int32_t> min_domains;
  bool node_affinity_policy_honor = true;  ///< nodeAffinityPolicy: Honor (default) | Ignore
  bool node_taints_policy_honor = false;   ///< nodeTaintsPolicy: Ignore (default) | Honor
  std::vector<std::string> match_label_keys;
};

/// The kinds of controlling owner default topology spreading reads a selector from (kube's
/// helper.DefaultSelector: v1 ReplicationController, apps/v1 ReplicaSet and StatefulSet).
enum class ControllerKind : std::uint8_t {
  replication_controller,
  replica_set,
  stateful_set,
  other
};

/// The pod's controller: its ownerReference with controller: true.
struct ControllerRef {
  ControllerKind kind = ControllerKind::other;
  std::string name;
};

struct PodInfo {
  std::string namespace_;
  std::string name;
  std::string uid;
  std::int32_t priority = 0;
  std::string scheduler_name;
  api::Labels labels;

  Resources requests;                      ///< effective request, pods = 1
  std::int64_t non_zero_milli_cpu = 0;     ///< with kDefaultMilliCpuRequest per container
  std::int64_t non_zero_memory_bytes = 0;  ///< with kDefaultMemoryRequestBytes per container

  std::string node_name;  ///< spec.nodeName ("" when unset)
  api::Labels node_selector;
  /// Required node affinity terms (ORed); nullopt when the pod has none.
  std::optional<std::vector<NodeSelectorTerm>> required_node_affinity;
  std::vector<PreferredNodeTerm> preferred_node_affinity;  ///< weight 0 and empty terms dropped
  std::vector<PodAffinityTerm> pod_affinity_required, pod_affinity_preferred;
  std::vector<PodAffinityTerm> pod_anti_affinity_required, pod_anti_affinity_preferred;
  std::vector<Toleration> tolerations;
  std::vector<TopologySpreadConstraint> topology_spread_constraints;
  std::vector<HostPort> host_ports;  ///< container ports with hostPort > 0
  /// metadata.ownerReferences' controller, when there is one.
  std::optional<ControllerRef> controller;
  /// The annotation craton.io/gpu-index a scheduler's GpuShare wrote at binding ("" when unset):
  /// the GPUs the pod holds on its node (GpuShare reads it back, gpu_share.hpp).
  std::string gpu_index;

  // What preemption reads.
  bool preemption_never = false;    ///< spec.preemptionPolicy: Never
  std::string nominated_node_name;  ///< status.nominatedNodeName ("" when unset)
  bool terminating = false;         ///< metadata.deletionTimestamp is set
  /// status.conditions has DisruptionTarget True with reason PreemptionByScheduler: the
  /// scheduler preempted this pod (with `terminating`: kube's podTerminatingByPreemption).
  bool preempted_by_scheduler = false;
  /// status.startTime in seconds since the epoch; nullopt when not started (preemption then
  /// counts it as started now: the least important among pods of equal priority).
  std::optional<std::int64_t> start_time_s;

  std::string key() const { return namespace_ + "/" + name; }
  bool has_pod_affinity_terms() const {
    return !pod_affinity_required.empty() || !pod_affinity_preferred.empty() ||
           !pod_anti_affinity_required.empty() || !pod_anti_affinity_preferred.empty();
  }
};

/// A pod waiting in the queue: what QueueSort compares.
struct QueuedPodInfo {
  const PodInfo* pod = nullptr;
  std::int64_t timestamp_ms = 0;  ///< when the pod was added to the queue
  std::int32_t attempts = 0;
};

}  // namespace craton::scheduler
