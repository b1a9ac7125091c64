// Which nodes a DaemonSet's pod belongs on (Kubernetes' NodeShouldRunDaemonPod in
// pkg/controller/daemon): the node must match the template's nodeSelector and its required node
// affinity, and the pod must tolerate the node's NoSchedule and NoExecute taints, counting the
// tolerations the DaemonSet controller adds to every pod it makes (daemon_tolerations()). A node
// whose only untolerated taints are NoSchedule keeps a pod it already runs but gets no new one;
// an untolerated NoExecute taint, or a node that stops matching, evicts it.
//
// Also the inverse question: which node a daemon pod was made for (GetTargetNodeName: its
// spec.nodeName once bound, else the metadata.name In [node] term of its required node
// affinity). Pure; readers only, nothing is kept.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "schemas/api_cluster.capnp.h"
#include "schemas/api_pod.capnp.h"

namespace craton::controllers {

/// A toleration as a value (the template's, or one the controller adds).
struct TolerationValue {
  std::string key, operator_, value, effect;
};

/// The tolerations every daemon pod gets (AddOrUpdateDaemonPodTolerations): not-ready and
/// unreachable (NoExecute, no tolerationSeconds), disk-, memory- and pid-pressure and
/// unschedulable (NoSchedule), and network-unavailable (NoSchedule) for hostNetwork pods.
std::vector<TolerationValue> daemon_tolerations(bool host_network);

/// v1.Toleration.ToleratesTaint: effect empty or equal, key empty (with Exists) or equal, and
/// Exists, or Equal (the default operator) with the same value.
bool tolerates(const TolerationValue& toleration, schema::k8s::Taint::Reader taint);

/// The node satisfies spec.nodeSelector and every requirement of at least one of the required
/// node affinity's terms (labels for matchExpressions, metadata.name for matchFields; Gt and Lt
/// compare integers; an empty term matches nothing).
bool node_affinity_matches(schema::k8s::PodSpec::Reader spec, schema::k8s::Node::Reader node);

struct NodeVerdict {
  bool should_run = false;               ///< a pod belongs here: create one if missing
  bool should_continue_running = false;  ///< a pod already here may stay
};

/// NodeShouldRunDaemonPod for the pod the template makes.
NodeVerdict daemon_pod_fits(schema::k8s::PodSpec::Reader template_spec,
                            schema::k8s::Node::Reader node);

/// The node a daemon pod is for, or nullopt when it names none.
std::optional<std::string> target_node(schema::k8s::Pod::Reader pod);

}  // namespace craton::controllers
