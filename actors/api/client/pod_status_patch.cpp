// pod_status_patch.hpp: the strategic merge patch of a pod's status.
#include "actors/api/client/pod_status_patch.hpp"

namespace craton::api {

ApiCall pod_status_patch(std::string pod_namespace, std::string name,
                         const nlohmann::json& status) {
  ApiCall call;
  call.verb = ApiVerb::patch;
  call.resource = "pods";
  call.namespace_ = std::move(pod_namespace);
  call.name = std::move(name);
  call.subresource = "status";
  call.patch_type = ApiPatchType::strategic;
  call.patch = nlohmann::json{{"status", status}}.dump();
  return call;
}

}  // namespace craton::api
