// The API actor's requests as the API service takes them: an ApiCall becomes the HTTP request
// kube-apiserver would get for it (method, path, query; Accept: kApiMediaType, so reads and
// watches answer stored bytes as they are), and the service's response becomes the ApiReply.
// Objects in create/update bodies and in write responses cross as JSON inside the service
// (its write path is JSON-shaped: patches, strict field checks); the envelope never carries
// JSON. Pure: no CAF.
#pragma once

#include "actors/api/client/api_protocol.hpp"
#include "actors/api/convert/kube_json.hpp"
#include "actors/api/http/http_server.hpp"
#include "runtime/result.hpp"

namespace craton::api {

/// The request, or why it cannot be one ("not_found": no such resource; "bad_request": the
/// object does not decode as the resource's kind).
Result<HttpRequest> http_request_of(const ApiCall& call, const KubeJson& codec);

/// The reply to `call` that `response` (the service's answer to http_request_of(call)) means.
ApiReply reply_of(const HttpResponse& response, const ApiCall& call, const KubeJson& codec);

/// A refusal of the actor itself (before the service saw the request).
ApiReply failure_reply(int code, const std::string& reason, const std::string& message);

}  // namespace craton::api
