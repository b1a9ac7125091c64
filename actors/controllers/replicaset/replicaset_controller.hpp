// The ReplicaSet controller (Kubernetes' pkg/controller/replicaset) as a pure reconcile core:
// keeps spec.replicas active pods matching the selector.
//
// One sync of a ReplicaSet:
//   1. claim: of the active pods in its namespace, those it controls and that still match stay
//      its own; those it controls that no longer match are released (their ownerReference is
//      removed); orphans that match are adopted (an ownerReference with controller=true is
//      added), unless the ReplicaSet is being deleted. Pods controlled by others are not its
//      business. Adoption and release are updates at the pod's resourceVersion, so a pod
//      changed meanwhile is not overwritten (409: the key retries).
//   2. only when its expectations are satisfied (every pod it created or deleted last time
//      reached the cache, or 5 minutes passed): create the missing pods (at most
//      burst_replicas per sync) or delete the surplus, least valuable first (pod_ranking.hpp).
//   3. status: replicas, fullyLabeledReplicas, readyReplicas, availableReplicas (ready for
//      minReadySeconds), observedGeneration, written to /status when it changed.
// A ReplicaSet with minReadySeconds whose ready pods are not yet all available is looked at
// again when the next one becomes so.
//
// What it leaves out (as of this commit): the ReplicaFailure condition, slow-start batches of
// creations (all missing pods are asked for at once, bounded by burst_replicas), and the
// "related pods on the same node" rank of scale-down.
#pragma once

#include <cstdint>

#include "actors/controllers/controller.hpp"
#include "actors/controllers/expectations.hpp"

namespace craton::controllers {

struct ReplicaSetConfig {
  std::int64_t burst_replicas = 500;  ///< Kubernetes' BurstReplicas: creations/deletions per sync
  /// Seconds since the epoch at the manager's clock zero (pods' Ready times are wall-clock).
  std::int64_t wall_clock_base_s = 0;
};

ControllerFactory replicaset_controller(ReplicaSetConfig config = {});

}  // namespace craton::controllers
