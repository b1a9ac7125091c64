// The disruption controller (Kubernetes' pkg/controller/disruption) as a pure reconcile core:
// keeps the status of every policy/v1 PodDisruptionBudget, which the API's pods/eviction (what
// `kubectl drain` posts) reads to allow or refuse an eviction.
//
// One sync of a budget:
//   1. its pods: those of its namespace its spec.selector matches (a budget without a selector
//      selects none, an empty selector all, as in policy/v1);
//   2. expectedPods and desiredHealthy: minAvailable as a number: desiredHealthy is that number
//      and expectedPods the number of selected pods; minAvailable as a percentage, or
//      maxUnavailable: expectedPods is the sum of the scales (spec.replicas) of the pods'
//      controllers, found through their controller ownerReferences (a ReplicaSet, or the
//      Deployment controlling it; kube's getExpectedScale; pods without a controller are left
//      out), and percentages are rounded UP;
//   3. currentHealthy: the Ready pods not being deleted and not evicted less than
//      deletion_timeout_s ago (status.disruptedPods; entries of pods gone, being deleted or
//      older than that are dropped, and the budget is looked at again when the next one lapses);
//   4. disruptionsAllowed = max(0, currentHealthy - desiredHealthy), 0 while expectedPods is 0;
//      the DisruptionAllowed condition (True/SufficientPods or False/InsufficientPods),
//      observedGeneration; written to /status only when something changed.
// A budget whose pods' controllers cannot be found fails safe: disruptionsAllowed 0 and the
// condition False/SyncFailed with the reason, observedGeneration left as it was (the API then
// refuses evictions as "still being processed").
//
// What it leaves out (as of this commit): StatefulSets, ReplicationControllers and scale
// subresources of other kinds as pod controllers; unhealthyPodEvictionPolicy is the API's.
#pragma once

#include <cstdint>

#include "actors/controllers/controller.hpp"

namespace craton::controllers {

struct DisruptionConfig {
  /// Seconds since the epoch at the manager's clock zero (disruptedPods hold wall-clock times).
  std::int64_t wall_clock_base_s = 0;
  /// How long an evicted pod is expected to take to be deleted (kube's DeletionTimeout).
  std::int64_t deletion_timeout_s = 120;
};

/// policy/v1 poddisruptionbudgets.
const ResourceType& poddisruptionbudgets_resource();

ControllerFactory disruption_controller(DisruptionConfig config = {});

}  // namespace craton::controllers
