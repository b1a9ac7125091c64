// FrameworkHandle: what plugins may ask of the scheduler around the framework (Kubernetes'
// framework.Handle, the parts our plugins use): the cluster's PodDisruptionBudgets and the pods
// nominated to a node (DefaultPreemption, and the framework's Filter with nominated pods), where
// bindings go (DefaultBinder), the pods waiting on Permit (a gang plugin allowing its group),
// the Services and controllers a pod's default spread constraints select by
// (PodTopologySpread), and namespace labels for namespaceSelector (InterPodAffinity). The
// scheduler's actor implements it from its informers and its queue; tests implement it with
// fixed data.
// Promises asked of an implementation: answers are a snapshot that stays valid and unchanged
// for the duration of one plugin call (no I/O, no blocking: the framework is pure and single
// threaded); bind() only starts a binding and reports its result to the actor later.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "actors/api/meta/label_selector.hpp"
#include "actors/scheduler/framework/pod_info.hpp"
#include "actors/scheduler/framework/status.hpp"
#include "actors/scheduler/framework/waiting_pods.hpp"

namespace craton::scheduler {

/// What preemption reads of a policy/v1 PodDisruptionBudget.
struct PodDisruptionBudget {
  std::string namespace_;
  std::string name;
  /// Absent or empty: selects no pod (as Kubernetes treats a PDB without a selector).
  std::optional<api::LabelSelector> selector;
  std::int32_t disruptions_allowed = 0;  ///< status.disruptionsAllowed
  /// status.disruptedPods: pods whose eviction the API server already counted.
  std::vector<std::string> disrupted_pods;

  /// The budget covers `pod`: same namespace, a non-empty selector matching its labels (a pod
  /// without labels matches no budget, as in Kubernetes' filterPodsWithPDBViolation).
  bool covers(const PodInfo& pod) const {
    return namespace_ == pod.namespace_ && !pod.labels.empty() && selector && !selector->empty() &&
           selector->matches(pod.labels);
  }
};

/// Where DefaultBinder sends a pod's binding. The actor sends the Binding to the API server and
/// reports the outcome later (binding is asynchronous); bind answers whether it was sent.
class BindingSink {
 public:
  virtual ~BindingSink() = default;
  /// Success: the binding is on its way. Error: it could not be sent (the pod is unreserved).
  /// `annotations` go onto the pod with the binding (binding_annotations.hpp).
  virtual Status bind(const PodInfo& pod, std::string_view node,
                      const std::map<std::string, std::string>& annotations) = 0;
};

/// What default topology spreading reads of a v1 Service: its spec.selector (a map).
struct ServiceSelector {
  std::string namespace_;
  std::string name;
  /// nullopt (no selector) selects no pod, not every pod, as in Kubernetes.
  std::optional<api::Labels> selector;
};

/// What namespaceSelector reads of a v1 Namespace.
struct NamespaceLabels {
  std::string name;
  api::Labels labels;
};

class FrameworkHandle {
 public:
  virtual ~FrameworkHandle() = default;
  /// Every PodDisruptionBudget of the cluster.
  virtual std::span<const PodDisruptionBudget> pod_disruption_budgets() const = 0;
  /// The pods whose status.nominatedNodeName is `node` and that are not bound yet.
  virtual std::vector<std::shared_ptr<const PodInfo>> nominated_pods(
      std::string_view node) const = 0;
  /// False when no pod is nominated anywhere: the framework then skips asking per node (a
  /// cycle visits hundreds of nodes). An implementation that cannot tell answers true.
  virtual bool any_nominated_pods() const { return true; }
  /// Where bindings go; nullptr when this scheduler cannot bind (DefaultBinder then answers an
  /// Error rather than pretending).
  virtual BindingSink* binding_sink() { return nullptr; }
  /// The pods waiting on Permit (kube's IterateOverWaitingPods, GetWaitingPod,
  /// RejectWaitingPod); nullptr when this scheduler parks no pod (a Wait is then an error).
  virtual WaitingPods* waiting_pods() { return nullptr; }

  // Listers for default topology spreading and namespace selectors. Defaults answer "none":
  // a scheduler that does not feed them spreads no pod by default and resolves no non-empty
  // namespaceSelector to any namespace.
  /// Every Service of the cluster (their selectors).
  virtual std::span<const ServiceSelector> services() const { return {}; }
  /// The selector of the controller `ref` names in namespace `ns`: a ReplicationController's
  /// spec.selector map as equality requirements, a ReplicaSet's or StatefulSet's spec.selector;
  /// nullopt when there is no such object (or the kind is none of those).
  virtual std::optional<api::LabelSelector> controller_selector(
      std::string_view /*ns*/, const ControllerRef& /*ref*/) const {
    return std::nullopt;
  }
  /// Every Namespace of the cluster with its labels.
  virtual std::span<const NamespaceLabels> namespaces() const { return {}; }
};

}  // namespace craton::scheduler
