// ObjectConverter: the one place where the API's Cap'n Proto objects become the scheduler's
// model. A Pod becomes a PodInfo (effective requests, parsed affinity, tolerations, ports ...),
// a Node a NodeInfo (labels, taints with their reasons, allocatable), a PodDisruptionBudget
// what preemption reads of it, a Service, ReplicaSet or Namespace what default topology
// spreading and namespaceSelector read of it (FrameworkHandle's listers). Resource names are
// interned into the scheduler's ResourceNames on the way. Promises: a malformed quantity is an
// Error naming the object and the field, and nothing is returned half-built; requirements the
// API would have refused (an unknown operator, Gt without an integer) make their term match no
// node, as Kubernetes treats them, rather than failing the pod.
#pragma once

#include "actors/scheduler/framework/framework_handle.hpp"
#include "actors/scheduler/framework/node_info.hpp"
#include "actors/scheduler/framework/pod_info.hpp"
#include "actors/scheduler/framework/resources.hpp"
#include "runtime/result.hpp"
#include "schemas/api_apps.capnp.h"
#include "schemas/api_cluster.capnp.h"
#include "schemas/api_meta.capnp.h"
#include "schemas/api_pod.capnp.h"

namespace craton::scheduler {

class ObjectConverter {
 public:
  /// `resources` must outlive the converter and every object it makes.
  explicit ObjectConverter(ResourceNames& resources) : resources_(resources) {}

  Result<PodInfo> pod(schema::k8s::Pod::Reader pod) const;
  /// A NodeInfo without pods (the cache adds them).
  Result<NodeInfo> node(schema::k8s::Node::Reader node) const;
  /// What preemption reads of a PodDisruptionBudget (selector, disruptionsAllowed,
  /// disruptedPods).
  Result<PodDisruptionBudget> pod_disruption_budget(
      schema::k8s::PodDisruptionBudget::Reader pdb) const;
  /// A Service's spec.selector; an absent selector stays absent (it selects no pod).
  static ServiceSelector service(schema::k8s::Service::Reader service);
  /// A ReplicaSet's spec.selector (an absent one selects nothing: an empty selector).
  static api::LabelSelector replica_set_selector(schema::k8s::ReplicaSet::Reader replica_set);
  /// A Namespace's name and labels.
  static NamespaceLabels namespace_labels(schema::k8s::Namespace::Reader ns);

 private:
  ResourceNames& resources_;
};

}  // namespace craton::scheduler
