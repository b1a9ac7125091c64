// Kubernetes' protobuf request bodies (Content-Type application/vnd.kubernetes.protobuf, what
// kubectl 1.32's `create configmap|namespace|secret|service|serviceaccount|deployment|job|
// priorityclass|poddisruptionbudget` send) turned into the Kubernetes JSON the same kubectl
// would have sent, so the request then takes the server's one JSON path (validation, defaults,
// admission) unchanged.
//
// A body is the magic bytes "k8s\0" and a runtime.Unknown (typeMeta, raw = the object's own
// message). Promises: the decoder reads at most body_bytes_max bytes and depth_max levels of
// nested messages; a body it cannot read completely (wrong magic, malformed or truncated bytes,
// a field number our kube_wire.proto does not hold) is a "bad_request" Error, a kind it has no
// message for an "unsupported_media_type" Error; nothing is half-decoded. The JSON omits unset
// fields and the zero values of fields Go's JSON omits when zero (omitempty), writes
// metav1.Time as RFC 3339 (null when zero, as Go does), bytes as base64, IntOrString as a
// number or a string, Quantity as its string, maps as objects.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "runtime/result.hpp"

namespace craton::api::wire {

inline constexpr std::string_view kProtobufMediaType = "application/vnd.kubernetes.protobuf";

struct ProtobufLimits {
  std::size_t body_bytes_max = 3 * 1024 * 1024;  ///< kube-apiserver's request body bound
  int depth_max = 32;  ///< nested messages; a Deployment's deepest field is about 12 levels
};

/// The object in `body` as Kubernetes JSON (with apiVersion and kind from its typeMeta).
Result<nlohmann::json> protobuf_body_to_json(std::string_view body,
                                             const ProtobufLimits& limits = {});

}  // namespace craton::api::wire
