// The rollout checker: what the controllers scenario's auditors saw of each Deployment
// (WorkloadSample observations, sim/controllers/workload_clients.hpp), judged by the bounds
// Kubernetes promises for a rolling update of `replicas` pods with maxSurge and maxUnavailable:
//   - surge: the Deployment's ReplicaSets never ask for more than replicas + maxSurge pods in
//     all (the sum of their spec.replicas, at every revision an auditor saw);
//   - no duplicates: a ReplicaSet never has more active pods than the most it ever asked for
//     (a second round of creations, e.g. by two acting managers or a stale cache, shows here).
//     Judged where the auditors saw every generation of the ReplicaSet's spec up to a revision
//     at or after the pods' view; elsewhere (a relist skipped versions) the bound is
//     replicas + maxSurge, the most a Deployment asks of any one ReplicaSet;
//   - availability: once an auditor saw all `replicas` pods Ready, it never sees fewer than
//     replicas - maxUnavailable Ready again (pods only go away when a controller deletes
//     them: the fake kubelet never makes a pod unready);
//   - convergence: the last view of every auditor alive at the end shows the rollout complete
//     (exactly `replicas` active pods, all Ready, all of one ReplicaSet).
// Pure: a function of the RunHistory.
#pragma once

#include "sim/world/run_history.hpp"

namespace craton::sim {

struct RolloutBounds {
  int replicas = 4;
  int max_surge = 1;
  int max_unavailable = 1;
};

CheckResult check_rollouts(const RunHistory& history, const RolloutBounds& bounds);

}  // namespace craton::sim
