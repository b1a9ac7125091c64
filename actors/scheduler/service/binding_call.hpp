// binding_call: the pods/binding call a scheduler posts for a pod it placed (kube's DefaultBinder:
// a v1 Binding named after the pod, with its uid, target the node, and the binding annotations
// the plugins added, which the API copies onto the pod). One builder, so that the scheduler
// service and the benchmark that binds through the API (bench/scheduler_bench) send the same.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "actors/api/client/api_protocol.hpp"
#include "actors/scheduler/framework/pod_info.hpp"

namespace craton::scheduler {

/// The create call of `pod`'s binding subresource, binding it to `node`.
api::ApiCall binding_call(const PodInfo& pod, std::string_view node,
                          const std::map<std::string, std::string>& annotations);

}  // namespace craton::scheduler
