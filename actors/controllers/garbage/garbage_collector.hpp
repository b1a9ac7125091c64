// The garbage collector (Kubernetes' pkg/controller/garbagecollector) as a pure reconcile
// core over the ownerReferences graph of the kinds the controllers manage (Deployment ->
// ReplicaSet -> Pod, DaemonSet -> Pod, Job -> Pod).
//
// Keys are "<resource>:<namespace>/<name>". One sync of an object:
//   - being deleted with the `orphan` finalizer (kubectl delete --cascade=orphan): its
//     dependents lose their ownerReference to it; once none has one, the finalizer goes (and
//     with it the object: the API deletes an object whose last finalizer is removed);
//   - being deleted with `foregroundDeletion` (--cascade=foreground): its dependents are
//     deleted; once none is left, the finalizer goes;
//   - any object with ownerReferences: an owner that is absent (not in the cache, or with
//     another uid) is confirmed with a GET of the API first (a lagging informer must not make
//     it delete a live object's child); once every owner is confirmed absent, the object is
//     deleted (background); when only some are, their references are removed.
// Owners of other kinds than the ones it watches are left alone (never confirmed absent).
#pragma once

#include "actors/controllers/controller.hpp"

namespace craton::controllers {

struct GarbageCollectorConfig {
  std::size_t absent_uids_max = 100'000;  ///< confirmed-absent owner uids remembered
};

ControllerFactory garbage_collector(GarbageCollectorConfig config = {});

}  // namespace craton::controllers
