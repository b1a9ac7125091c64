// The pod garbage collector (Kubernetes' pkg/controller/podgc) as a pure reconcile core: it
// force-deletes (grace 0, uid precondition) pods bound to a node that does not exist. Such a pod
// has no agent left to finish it: one being deleted would stay Terminating forever, one running
// would be counted by its controllers forever. This is what frees the pods of a dead node once
// the node object is deleted (kubectl delete node), after the node lifecycle controller's
// graceful evictions could not complete.
//
// Its keys are pod keys. A pod is looked at when it is added or updated and when a node is
// deleted (every pod bound to it). A node must be missing from the node cache for
// quarantine_ms, measured by the controller's clock from when it first saw it missing, and
// the node informer must have its initial list, before its pods go (kube's podgc checks with
// the API after a 40 s quarantine: a node created just now may reach this cache after the pods
// the scheduler bound to it).
//
// What it leaves out: kube's gcTerminated (a cap on the number of finished pods kept), the
// out-of-service taint's forced deletions, and the DisruptionTarget condition written before
// the deletion.
#pragma once

#include <cstdint>

#include "actors/controllers/controller.hpp"

namespace craton::controllers {

struct PodGcConfig {
  /// How long a pod's node must be seen missing before the pod is deleted.
  std::int64_t quarantine_ms = 40'000;
};

ControllerFactory pod_gc_controller(PodGcConfig config = {});

}  // namespace craton::controllers
