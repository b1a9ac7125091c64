// What the workload controllers ask of pods and of ownership (Kubernetes'
// pkg/controller/controller_utils.go and apimachinery's metav1.GetControllerOf): which pods
// count, when one is ready and available, who controls an object, and the pod a controller
// makes from its template.
#pragma once

#include <capnp/dynamic.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "schemas/api_apps.capnp.h"
#include "schemas/api_meta.capnp.h"
#include "schemas/api_pod.capnp.h"

namespace craton::controllers {

/// Not Succeeded, not Failed, not being deleted (controller.IsPodActive).
bool pod_active(schema::k8s::Pod::Reader pod);
/// The Ready condition is True.
bool pod_ready(schema::k8s::Pod::Reader pod);
/// Ready for at least min_ready_seconds at now_s (the Ready condition's lastTransitionTime).
bool pod_available(schema::k8s::Pod::Reader pod, std::int32_t min_ready_seconds,
                   std::int64_t now_s);

/// The ownerReference with controller=true, if any.
std::optional<schema::k8s::OwnerReference::Reader> controller_of(
    schema::k8s::ObjectMeta::Reader meta);

/// Who a controller is, as its children's ownerReferences name it.
struct Owner {
  std::string api_version, kind, name, uid;
};

/// A new pod from a template, controlled by `owner`: generateName "<owner>-", the template's
/// labels, annotations, finalizers and spec; flat Cap'n Proto bytes for a create call.
std::string pod_from_template(schema::k8s::PodTemplateSpec::Reader pod_template,
                              const std::string& namespace_, const Owner& owner);

/// The object (any kind with metadata) with `owner` added as its controller, or with the
/// ownerReference of uid `release_uid` removed: bytes for an update call.
std::string with_controller(capnp::DynamicStruct::Reader object, const Owner& owner);
std::string without_owners(capnp::DynamicStruct::Reader object,
                           const std::vector<std::string>& release_uids);
inline std::string without_owner(capnp::DynamicStruct::Reader object,
                                 const std::string& release_uid) {
  return without_owners(object, {release_uid});
}
/// The object without the finalizer `name` (bytes for an update call).
std::string without_finalizer(capnp::DynamicStruct::Reader object, const std::string& name);

}  // namespace craton::controllers
