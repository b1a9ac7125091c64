// ClusterEvent: a change in the cluster that may make a pod the scheduler could not place
// schedulable, as Kubernetes' framework.ClusterEvent (pkg/scheduler/framework/types.go): the
// kind of object that changed and what happened to it, as action bits. Plugins register the
// events that could undo their rejections (EnqueueExtensions, plugin.hpp); the scheduling queue
// moves a rejected pod back only when one of them happens.
//
// Promises: an event is a two-word value (no allocation); `matches` is Kubernetes' Match rule
// for the events the scheduler reports (one object changed, its changes classified into kube's
// update kinds); `cluster_event_name` prints kube's label ("NodeAdd", "NodeUpdateNodeLabel", ...)
// for logs and tests.
#pragma once

#include <cstdint>
#include <string>

namespace craton::scheduler {

/// The kind of object an event is about. Kubernetes also has volumes, storage classes, CSI and
/// DRA objects; they join here when the model has them. `wildcard` is "any object".
enum class EventResource : std::uint8_t { pod, node, wildcard };
inline constexpr std::size_t kEventResources = 3;

/// What happened, as bits (kube's ActionType). An update is classified into the finer kinds of
/// what changed; a reporter sets every kind that applies. The `*_other` kinds are updates of
/// fields no finer kind names: only a registration of the whole `update` matches them, as kube
/// answers a plain Update only to plugins that registered Update.
namespace action {
inline constexpr std::uint32_t add = 1u << 0;
inline constexpr std::uint32_t remove = 1u << 1;  ///< kube's Delete
// Node updates. A change of spec.unschedulable is a taint update, as in Kubernetes (the
// NodeUnschedulable plugin and the node.kubernetes.io/unschedulable taint are one concern).
inline constexpr std::uint32_t update_node_allocatable = 1u << 2;
inline constexpr std::uint32_t update_node_label = 1u << 3;
inline constexpr std::uint32_t update_node_taint = 1u << 4;
inline constexpr std::uint32_t update_node_condition = 1u << 5;
inline constexpr std::uint32_t update_node_annotation = 1u << 6;
inline constexpr std::uint32_t update_node_other = 1u << 7;
// Pod updates.
inline constexpr std::uint32_t update_pod_label = 1u << 8;
inline constexpr std::uint32_t update_pod_scale_down = 1u << 9;    ///< a request got smaller
inline constexpr std::uint32_t update_pod_tolerations = 1u << 10;  ///< tolerations added
inline constexpr std::uint32_t update_pod_scheduling_gates_eliminated = 1u << 11;
inline constexpr std::uint32_t update_pod_other = 1u << 12;

inline constexpr std::uint32_t update_node = update_node_allocatable | update_node_label |
                                             update_node_taint | update_node_condition |
                                             update_node_annotation | update_node_other;
inline constexpr std::uint32_t update_pod =
    update_pod_label | update_pod_scale_down | update_pod_tolerations |
    update_pod_scheduling_gates_eliminated | update_pod_other;
/// Any update, when a plugin does not know or care which field changed.
inline constexpr std::uint32_t update = update_node | update_pod;
inline constexpr std::uint32_t all = add | remove | update;
}  // namespace action

struct ClusterEvent {
  EventResource resource = EventResource::wildcard;
  std::uint32_t actions = action::all;  ///< bits of `action`

  /// "Any object, anything happened": registered, it matches every event; happened, it is the
  /// queue's "move everything" (kube's WildCardEvent, used on unschedulable timeouts).
  static constexpr ClusterEvent any() { return {EventResource::wildcard, action::all}; }
  bool is_wildcard() const { return resource == EventResource::wildcard && actions == action::all; }
  friend bool operator==(const ClusterEvent&, const ClusterEvent&) = default;
};

/// Kubernetes' ClusterEvent.Match: `registered` (what a plugin asked for) matches `happened`
/// when it is the wildcard, or it names the same resource (or any resource) and shares an
/// action bit with what happened. A happened wildcard matches only a registered wildcard (the
/// queue moves every pod on it by its own rule, as kube does).
///
/// Kube additionally asks `happened.actions <= registered.actions` as numbers, which for the
/// one-kind events it reports is implied by sharing the bit, and for its plain Update means
/// "a field no finer kind names" (our `update_*_other` bits, which share no bit with a finer
/// registration). Sharing a bit is exact for events that carry several kinds at once: the
/// union of what happened matches when any one part would.
bool matches(const ClusterEvent& registered, const ClusterEvent& happened);

/// Kube's label, resource then action: "NodeAdd", "PodDelete", "NodeUpdateNodeLabel",
/// "NodeUpdate" (every update kind), "PodAll"; several kinds are joined by '|'
/// ("NodeAdd|UpdateNodeAllocatable"); "WildCard" for any().
std::string cluster_event_name(const ClusterEvent& event);

}  // namespace craton::scheduler
