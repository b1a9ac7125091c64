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

#include "actors/api/informer/informer.hpp"
#include "actors/controllers/expectations.hpp"

namespace craton::controllers {

/// The index both informers must have: objects by namespace.
inline constexpr const char* kByNamespace = "namespace";

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
