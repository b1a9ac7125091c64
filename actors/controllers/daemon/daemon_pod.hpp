// The pods a DaemonSet makes, and the revision they were made from. Kubernetes keeps a
// DaemonSet's template history in ControllerRevisions and labels each pod with the revision's
// hash; Craton serves no ControllerRevision kind, so the revision IS the hash: FNV-1a 64 of the
// template's canonical Cap'n Proto bytes (capnp canonicalization: equal templates give equal
// bytes, whatever their encoding history). A pod is "updated" when its
// `controller-revision-hash` label equals the DaemonSet's current one.
//
// A daemon pod is the template's pod (pod_from_template) plus: the hash label; the required
// node affinity replaced by one term `metadata.name In [node]` (ReplaceDaemonSetPodNodeName-
// NodeAffinity: the scheduler binds it, spec.nodeName stays empty); and the default
// tolerations (daemon_tolerations), each replacing a template toleration with the same key,
// operator, value and effect (AddOrUpdateTolerationInPodSpec). Pure.
#pragma once

#include <string>

#include "actors/controllers/pods.hpp"
#include "schemas/api_pod.capnp.h"

namespace craton::controllers {

/// The pod label naming the revision a daemon pod was made from.
inline constexpr const char* kRevisionHashLabel = "controller-revision-hash";

/// 16 lowercase hex digits, identical on every build for equal templates.
std::string template_hash(schema::k8s::PodTemplateSpec::Reader pod_template);

/// The pod for `node`, controlled by `owner`: flat bytes for a create call.
std::string daemon_pod(schema::k8s::PodTemplateSpec::Reader pod_template,
                       const std::string& namespace_, const Owner& owner, const std::string& node,
                       const std::string& hash);

}  // namespace craton::controllers
