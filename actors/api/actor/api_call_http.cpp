// ApiCall <-> the service's HTTP form.
#include "actors/api/actor/api_call_http.hpp"

#include "actors/api/kinds/kinds.hpp"
#include "actors/api/server/object_codec.hpp"
#include "runtime/flat_message.hpp"
#include "schemas/api_apps.capnp.h"
#include "schemas/api_pod.capnp.h"

namespace craton::api {
namespace {

using json = nlohmann::json;

// The struct a request body or a response object of this call is.
capnp::StructSchema body_schema(const Kind& kind, const std::string& subresource) {
  if (subresource == "binding") return capnp::Schema::from<schema::k8s::Binding>();
  if (subresource == "eviction") return capnp::Schema::from<schema::k8s::Eviction>();
  if (subresource == "scale") return capnp::Schema::from<schema::k8s::Scale>();
  return kind.schema;
}

Result<std::string> json_of_bytes(const std::string& bytes, capnp::StructSchema schema,
                                  const KubeJson& codec) {
  auto message = FlatMessage::open(bytes);
  if (!message) return Error{"bad_request", "the object: " + message.error().message};
  try {
    return codec.encode(message->root(schema));
  } catch (const kj::Exception& e) {
    return Error{"bad_request",
                 std::string("the object does not decode: ") + e.getDescription().cStr()};
  }
}

}  // namespace

ApiReply failure_reply(int code, const std::string& reason, const std::string& message) {
  ApiReply reply;
  reply.code = code;
  reply.failure = ApiFailure{reason, message, {}};
  return reply;
}

Result<HttpRequest> http_request_of(const ApiCall& call, const KubeJson& codec) {
  const Kind* kind = find_kind(call.group, call.version, call.resource);
  if (kind == nullptr)
    return Error{"not_found", "the server could not find the requested resource"};
  HttpRequest h;
  h.accept = kApiMediaType;
  h.path = call.group.empty() ? "/api/" + call.version : "/apis/" + call.group + "/" + call.version;
  if (!call.namespace_.empty()) h.path += "/namespaces/" + call.namespace_;
  h.path += "/" + call.resource;
  bool named = call.verb != ApiVerb::list && call.verb != ApiVerb::watch &&
               call.verb != ApiVerb::create && call.verb != ApiVerb::remove_collection;
  if (named || (call.verb == ApiVerb::create && !call.subresource.empty()))
    h.path += "/" + call.name;
  if (!call.subresource.empty()) h.path += "/" + call.subresource;
  switch (call.verb) {
    case ApiVerb::get:
    case ApiVerb::list:
      h.method = "GET";
      break;
    case ApiVerb::watch:
      h.method = "GET";
      h.query["watch"] = "1";
      break;
    case ApiVerb::create:
      h.method = "POST";
      break;
    case ApiVerb::update:
      h.method = "PUT";
      break;
    case ApiVerb::patch:
      h.method = "PATCH";
      break;
    case ApiVerb::remove:
    case ApiVerb::remove_collection:
      h.method = "DELETE";
      break;
    case ApiVerb::stop_watch:
    case ApiVerb::probe_watch:
      return Error{"bad_request", "stopWatch and probeWatch are not HTTP requests"};
  }
  auto set = [&h](const char* name, const std::string& value) {
    if (!value.empty()) h.query[name] = value;
  };
  set("labelSelector", call.label_selector);
  set("fieldSelector", call.field_selector);
  set("resourceVersion", call.resource_version);
  set("resourceVersionMatch", call.resource_version_match);
  set("continue", call.continue_token);
  set("propagationPolicy", call.propagation_policy);
  if (call.limit > 0) h.query["limit"] = std::to_string(call.limit);
  if (call.timeout_seconds > 0) h.query["timeoutSeconds"] = std::to_string(call.timeout_seconds);
  if (call.allow_bookmarks) h.query["allowWatchBookmarks"] = "true";
  if (call.dry_run) h.query["dryRun"] = "All";
  if (call.verb == ApiVerb::create && (call.subresource.empty() || call.subresource == "binding")) {
    // The object as it is: the service decodes it without JSON (ApiService::create, ::bind).
    auto message = FlatMessage::open(call.object);
    if (!message) return Error{"bad_request", "the object: " + message.error().message};
    h.body = call.object;
    h.content_type = kApiMediaType;
  } else if (call.verb == ApiVerb::create || call.verb == ApiVerb::update) {
    auto body = json_of_bytes(call.object, body_schema(*kind, call.subresource), codec);
    if (!body) return body.error();
    h.body = std::move(*body);
    h.content_type = "application/json";
  } else if (call.verb == ApiVerb::remove && !call.object.empty()) {
    h.body = call.object;  // DeleteOptions as JSON (delete_options())
    h.content_type = "application/json";
  } else if (call.verb == ApiVerb::patch) {
    h.body = call.patch;
    h.content_type = call.patch_type == ApiPatchType::json ? "application/json-patch+json"
                     : call.patch_type == ApiPatchType::strategic
                         ? "application/strategic-merge-patch+json"
                         : "application/merge-patch+json";
  }
  return h;
}

ApiReply reply_of(const HttpResponse& response, const ApiCall& call, const KubeJson& codec) {
  if (response.content_type == kApiMediaType) {
    auto reply = decode_api_reply(response.body);
    if (!reply) return failure_reply(500, "InternalError", reply.error().message);
    reply->warnings = response.warnings;
    return std::move(*reply);
  }
  ApiReply reply;
  reply.code = response.status;
  reply.warnings = response.warnings;
  auto j = json::parse(response.body, nullptr, false);
  if (!j.is_object())
    return failure_reply(response.status >= 300 ? response.status : 500, "InternalError",
                         "the API answered something that is not an object");
  if (j.value("kind", "") == "Status") {
    if (response.status < 300) return reply;  // a Success Status
    reply.failure.reason = j.value("reason", "");
    reply.failure.message = j.value("message", "");
    const auto& details = j.contains("details") ? j["details"] : json();
    if (details.is_object() && details.contains("causes") && details["causes"].is_array())
      for (const auto& c : details["causes"])
        reply.failure.causes.push_back(
            ApiCause{c.value("reason", ""), c.value("message", ""), c.value("field", "")});
    return reply;
  }
  const Kind* kind = find_kind(call.group, call.version, call.resource);
  if (kind == nullptr) return failure_reply(500, "InternalError", "no kind for the answer");
  const auto& meta = j.contains("metadata") ? j["metadata"] : json();
  if (meta.is_object() && meta.contains("resourceVersion") && meta["resourceVersion"].is_string())
    reply.object.resource_version = std::atoll(meta["resourceVersion"].get<std::string>().c_str());
  if (call.subresource == "scale") {
    auto scale = codec.decode_parsed(j, capnp::Schema::from<schema::k8s::Scale>());
    if (!scale) return failure_reply(500, "InternalError", scale.error().message);
    reply.object.bytes = flat_bytes(**scale);
    return reply;
  }
  auto object = object_from_json(codec, *kind, j);
  if (!object) return failure_reply(500, "InternalError", object.error().message);
  reply.object.bytes = object_to_bytes(*object);
  return reply;
}

}  // namespace craton::api
