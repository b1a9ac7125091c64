// What changed between two versions of a node or of a bound pod, as the ClusterEvent the
// scheduling queue moves rejected pods on (kube's node and pod update classification in
// pkg/scheduler/eventhandlers.go and framework/types.go): an allocatable change, a label
// change, a taint or spec.unschedulable change, ... each set as its own action bit, so a pod
// rejected by NodeAffinity moves on a label change and not on a new allocatable.
// Pure functions of the scheduler's model.
#pragma once

#include "actors/scheduler/framework/cluster_event.hpp"
#include "actors/scheduler/framework/node_info.hpp"
#include "actors/scheduler/framework/pod_info.hpp"

namespace craton::scheduler {

/// The node's update kinds from `old_node` to `new_node`; actions 0 when nothing scheduling
/// reads changed.
ClusterEvent node_update_event(const NodeInfo& old_node, const NodeInfo& new_node);

/// The bound pod's update kinds from `old_pod` to `new_pod` (labels; requests that shrank;
/// anything else as update_pod_other).
ClusterEvent pod_update_event(const PodInfo& old_pod, const PodInfo& new_pod);

}  // namespace craton::scheduler
