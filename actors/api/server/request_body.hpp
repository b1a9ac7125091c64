// A request body in any media type the server reads, as the one JSON form every write takes:
// application/json (or no Content-Type), application/yaml, and Kubernetes' protobuf
// (application/vnd.kubernetes.protobuf). Each decoder bounds what it reads (json_body.hpp,
// yaml_body.hpp, wire/protobuf_body.hpp); a media type none of them reads is an
// "unsupported_media_type" Error worded as kube-apiserver's 415, bad input a "bad_request" one.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "runtime/result.hpp"

namespace craton::api {

/// The body, decoded by the media type of `content_type` (parameters such as charset ignored).
Result<nlohmann::json> parse_request_body(std::string_view content_type, std::string_view body);

}  // namespace craton::api
