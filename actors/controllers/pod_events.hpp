// How a controller of pods follows its pods (kube's addPod / updatePod / deletePod, shared by
// the ReplicaSet and DaemonSet controllers): each change of a pod enqueues the owner that
// controls it (an ownerReference with controller=true to an object of `owner_kind` in the
// owners' cache with that uid) and tells its expectations what was seen; an orphan's change
// enqueues every owner in its namespace whose spec.selector matches it (it may adopt it). A pod
// being deleted counts as deleted. A resync (same resourceVersion) changes nothing.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "actors/api/informer/informer.hpp"
#include "actors/controllers/expectations.hpp"

namespace craton::controllers {

/// The index both informers must have: objects by namespace.
inline constexpr const char* kByNamespace = "namespace";
/// Pods (or ReplicaSets) by the uid of their controller (the ownerReference with
/// controller=true).
inline constexpr const char* kByControllerUid = "controller-uid";
/// Pods (or ReplicaSets) without a controller, by namespace: what any owner there may adopt.
inline constexpr const char* kOrphansByNamespace = "orphans-by-namespace";

/// Ensures kByControllerUid and kOrphansByNamespace on a pod informer.
void ensure_claim_indexes(api::Informer& pods);
/// The same two indexes on a ReplicaSet informer (the Deployment controller's claim).
void ensure_replica_set_claim_indexes(api::Informer& sets);

/// The objects an owner (namespace, uid) may hold after claiming (kube's ClaimPods and
/// ClaimReplicaSets input): those it controls and the orphans of its namespace, in key order.
/// The same objects a scan of the whole namespace would keep after skipping those controlled
/// by others, without touching them: with 100 ReplicaSets of 100 pods in one namespace, a sync
/// reads 100 pods, not 10,000 (and a Deployment's its own ReplicaSets, not every one there).
/// Precondition: ensure_claim_indexes(objects) or ensure_replica_set_claim_indexes(objects).
std::vector<api::InformerObject> claim_candidates(const api::Informer& pods,
                                                  const std::string& name_space,
                                                  const std::string& uid);

class PodEvents {
 public:
  /// Registers the handlers on `pods`; ensures the namespace index on both informers.
  PodEvents(std::string owner_kind, api::Informer& owners, api::Informer& pods,
            Expectations& expectations, std::function<void(const std::string&)> enqueue);

  /// The key of the owner controlling `pod`, when it is in the owners' cache with that uid.
  std::optional<std::string> owner_key(const api::InformerObject& pod) const;

 private:
  void added(const api::InformerObject& pod);
  void updated(const api::InformerObject& old, const api::InformerObject& pod);
  void deleted(const api::InformerObject& pod);
  void enqueue_matching(const api::InformerObject& pod);

  std::string owner_kind_;
  api::Informer& owners_;
  Expectations& expectations_;
  std::function<void(const std::string&)> enqueue_;
};

}  // namespace craton::controllers
