// The one way Craton's components write a pod's status: a strategic merge patch of
// pods/<name>/status, as kube's status writers send it (the kubelet's status manager, the
// scheduler's PodScheduled and DisruptionTarget conditions). Strategic, not a JSON merge patch:
// status.conditions merge by `type`, so each writer's conditions survive the others' writes
// (a merge patch would replace the list whole and drop them).
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "actors/api/client/api_protocol.hpp"

namespace craton::api {

/// PATCH pods/<name>/status of `pod_namespace` with {"status": status}, strategic merge.
/// Each condition in `status` merges with the stored condition of its type; the fields a
/// condition leaves out keep their stored values (send them as null to remove them).
ApiCall pod_status_patch(std::string pod_namespace, std::string name, const nlohmann::json& status);

}  // namespace craton::api
