// The API actor's protocol (schemas/api.capnp) as C++ values, and their encoding into and out
// of envelopes: what a component (controller, scheduler, node agent, simulated client) builds
// to ask the API actor, and what it gets back. Pure: no CAF.
//
// Objects stay encoded (ApiObjectBytes): the caller decodes the kind it asked for (e.g.
// capnp::FlatArrayMessageReader over the bytes, then getRoot<schema::k8s::Pod>()), so a list
// of thousands of objects is passed along without being copied into other types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/result.hpp"
#include "schemas/api.capnp.h"

namespace craton::api {

/// The media type of these messages where the API service speaks them (Accept and
/// Content-Type of the requests the API actor hands it).
inline constexpr const char* kApiMediaType = "application/vnd.craton.api+capnp";

enum class ApiVerb {
  get,
  list,
  watch,
  create,
  update,
  patch,
  remove,
  remove_collection,
  stop_watch,
  probe_watch  ///< sent with a watch's correlation id: answered 200 (held) or 404 (unknown)
};
enum class ApiPatchType { merge, json, strategic };

struct ApiObjectBytes {
  std::string bytes;  ///< the kind's struct, a flat Cap'n Proto message
  std::int64_t resource_version = 0;
  bool operator==(const ApiObjectBytes&) const = default;
};

/// One request: what an HTTP client would put in the method, path and query.
struct ApiCall {
  ApiVerb verb = ApiVerb::get;
  std::string group;  ///< "" for the core group
  std::string version = "v1";
  std::string resource;  ///< plural
  std::string namespace_;
  std::string name;
  std::string subresource;
  std::string object;  ///< create/update: the encoded object; delete: DeleteOptions or empty
  std::string patch;
  ApiPatchType patch_type = ApiPatchType::merge;
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;
  std::string resource_version_match;
  std::int64_t limit = 0;
  std::string continue_token;
  std::int64_t timeout_seconds = 0;
  bool allow_bookmarks = false;
  bool dry_run = false;
  std::string propagation_policy;
};

struct ApiCause {
  std::string type, message, field;
  bool operator==(const ApiCause&) const = default;
};

/// DeleteOptions as the JSON body of a remove ApiCall (its `object`): gracePeriodSeconds when
/// given (0: at once, what a node agent sends once a pod's processes are gone) and a uid
/// precondition when not empty (the object deleted is the one meant, not a namesake).
std::string delete_options(std::optional<std::int64_t> grace_period_s,
                           const std::string& uid_precondition = "");

/// Kubernetes' Status of a refusal.
struct ApiFailure {
  std::string reason, message;
  std::vector<ApiCause> causes;
};

struct ApiReply {
  int code = 0;        ///< HTTP status as kube-apiserver answers it
  ApiFailure failure;  ///< code >= 300
  ApiObjectBytes object;
  std::vector<ApiObjectBytes> items;
  std::int64_t list_revision = 0;
  std::string continue_token;
  std::int64_t remaining_items = -1;  ///< -1: unknown
  std::vector<std::string> warnings;
  std::uint64_t watch_events_sent = 0;  ///< probeWatch answered 200: events the watch sent
  bool ok() const { return code >= 200 && code < 300; }
};

enum class ApiEventType { added, modified, deleted, bookmark, error, closed };

struct ApiEvent {
  ApiEventType type = ApiEventType::added;
  ApiObjectBytes object;  ///< bookmark: bytes empty, resource_version set
  int code = 0;           ///< error
  ApiFailure failure;     ///< error
};

void write_api_call(schema::api::ApiRequest::Builder out, const ApiCall& call);
/// Errors: "malformed" (an enum value this build does not know).
Result<ApiCall> read_api_call(schema::api::ApiRequest::Reader in);
void write_api_reply(schema::api::ApiResponse::Builder out, const ApiReply& reply);
ApiReply read_api_reply(schema::api::ApiResponse::Reader in);
void write_api_event(schema::api::ApiWatchEvent::Builder out, const ApiEvent& event);
Result<ApiEvent> read_api_event(schema::api::ApiWatchEvent::Reader in);

/// A reply or event as one flat Cap'n Proto message (the body of a kApiMediaType response).
std::string encode_api_reply(const ApiReply& reply);
std::string encode_api_event(const ApiEvent& event);
/// Errors: "malformed" (not such a message, or over kApiMessageBytesMax).
Result<ApiReply> decode_api_reply(const std::string& bytes);
Result<ApiEvent> decode_api_event(const std::string& bytes);
inline constexpr std::size_t kApiMessageBytesMax = 4 << 20;

const char* verb_name(ApiVerb verb);

}  // namespace craton::api
