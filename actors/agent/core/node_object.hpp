// The Node JSON of node_status.hpp as the API's Cap'n Proto Node (schemas/api_cluster.capnp),
// the form the agent sends in its CREATE. The agent may not use the API server's converter
// (actors/api/convert/: components talk through messages), so this writes the few fields
// node_json() produces, and nothing else; the node_status test checks that it agrees with
// the converter field for field. Pure.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "runtime/result.hpp"

namespace craton::agent {

/// The flat Cap'n Proto bytes of a k8s::Node holding `node` (node_json's shape: metadata.name
/// and labels, spec.podCIDR(s) and taints, status capacity, allocatable, conditions,
/// addresses, nodeInfo). Errors "invalid": a field of the wrong JSON type.
Result<std::string> node_object_bytes(const nlohmann::json& node);

}  // namespace craton::agent
