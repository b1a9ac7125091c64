// The ownership checker: what the controllers scenario's ownership auditors saw at the end
// (OwnershipSample, sim/controllers/cleanup_clients.hpp), judged against the deletions the API
// accepted (DeletionEvent), by what Kubernetes promises once the garbage collector and the
// namespace controller have caught up (the run's faults stopped at its settle point; the last view
// of every auditor alive at the end is the end's):
//   - no dangling owner: every owner reference of a Deployment, ReplicaSet or pod names an
//     object that exists (the collector deletes dependents of a deleted owner, or orphans them
//     by removing the reference);
//   - a Deployment deleted with propagationPolicy Background or Foreground left nothing that
//     carries its app label (its ReplicaSets and pods went with it);
//   - a deleted namespace is gone and holds no Deployment, ReplicaSet or pod.
// An Orphan deletion is judged by the first rule only: its ReplicaSets may remain, unowned.
// Pure: a function of the RunHistory.
#pragma once

#include "sim/world/run_history.hpp"

namespace craton::sim {

CheckResult check_ownership(const RunHistory& history);

}  // namespace craton::sim
