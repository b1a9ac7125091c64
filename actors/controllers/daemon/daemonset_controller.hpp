// The DaemonSet controller (Kubernetes' pkg/controller/daemon) as a pure reconcile core: one pod
// per eligible node (node_eligibility.hpp), each made for its node by node affinity on
// metadata.name (daemon_pod.hpp: the scheduler binds it).
//
// One sync of a DaemonSet (nothing while it is being deleted; the collector removes its pods):
//   1. claim, as the ReplicaSet controller does: its matching pods stay, those that stopped
//      matching are released, matching orphans adopted. Pods are grouped by the node they are
//      for (spec.nodeName, else the affinity's metadata.name).
//   2. only when its expectations are satisfied, per node (in name order): a node that should
//      run the pod and has none gets one; on a node where a pod may continue, Failed or
//      Succeeded pods are deleted and of several live pods the oldest is kept (scheduled first,
//      then creationTimestamp, then name); a node where no pod may continue (no longer matches,
//      or an untolerated NoExecute taint) loses its pods; pods for a node that no longer exists
//      are deleted (Kubernetes deletes only the unscheduled ones and leaves bound pods to the
//      pod garbage collector, which Craton does not have yet). At most pods_per_sync_max calls.
//   3. when step 2 changed nothing and the strategy is RollingUpdate: old pods (another
//      revision hash) are deleted while at most maxUnavailable (a count or a percentage of
//      desiredNumberScheduled rounded up; default 1) nodes lack an available pod; an old pod
//      that is not available anyway is replaced at once. Step 2 then makes the new pods.
//      With maxSurge (> 0; the API then requires maxUnavailable 0; a count or a percentage of
//      desiredNumberScheduled rounded up): a node whose only pod is old gets a new one beside
//      it, at once when the old one is not available anyway, else while fewer than maxSurge
//      nodes carry a new pod not yet available; step 2 then keeps on such a node the oldest new
//      and the oldest old pod, and deletes the old one once the new one is available
//      (minReadySeconds) or the old one is not ready.
//      OnDelete: old pods stay until someone deletes them; the new ones have the new hash.
//   4. status: desiredNumberScheduled, currentNumberScheduled, numberMisscheduled,
//      numberReady, numberAvailable (ready for minReadySeconds), numberUnavailable,
//      updatedNumberScheduled (each node's oldest pod), observedGeneration; written to /status
//      when it changed. A DaemonSet whose ready pods are not all available yet is looked at
//      again after minReadySeconds.
//
// Events, as kube's daemonset-controller records them: SuccessfulCreate / SuccessfulDelete
// ("Created pod: <name>", "Deleted pod: <name>") and FailedCreate (Warning).
//
// Left out (as of this commit): the back-off between re-creations of a failing pod,
// ControllerRevisions and revisionHistoryLimit (the revision is the template's hash), status
// conditions and collisionCount, slow-start batches of creations.
#pragma once

#include <cstdint>

#include "actors/controllers/controller.hpp"

namespace craton::controllers {

struct DaemonSetConfig {
  /// Creations plus deletions per sync (Kubernetes' BurstReplicas for daemons: 250).
  std::int64_t pods_per_sync_max = 250;
  /// Seconds since the epoch at the manager's clock zero (pods' Ready times are wall-clock).
  std::int64_t wall_clock_base_s = 0;
};

ControllerFactory daemonset_controller(DaemonSetConfig config = {});

}  // namespace craton::controllers
