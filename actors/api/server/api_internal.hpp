// What api_service.cpp, api_reads.cpp and api_writes.cpp share: a parsed request and a
// registered watcher. Private to the API service.
#pragma once

#include "actors/api/client/api_protocol.hpp"
#include "actors/api/registry/object_meta.hpp"
#include "actors/api/server/api_service.hpp"

namespace craton::api {

struct ApiService::Request {
  HttpRequest http;
  ApiPath path;
  const Kind* kind = nullptr;
  bool table = false;  ///< Accept asks for a meta.k8s.io/v1 Table
  /// Accept is kApiMediaType (the API actor): reads answer encoded ApiReplys and watches
  /// ApiEvents, the stored bytes as they are (no JSON).
  bool native = false;
  bool dry_run = false;  ///< dryRun=All: everything but the store write

  std::string param(const std::string& name) const {
    auto it = http.query.find(name);
    return it == http.query.end() ? "" : it->second;
  }
  std::string key() const { return registry_key(kind->info.plural, path.namespace_, path.name); }
  std::string prefix() const { return registry_prefix(kind->info.plural, path.namespace_); }
  /// The collection is one namespace's, or the kind is cluster-scoped: names are unique in it.
  bool one_scope() const { return !kind->info.namespaced || !path.namespace_.empty(); }
};

struct ApiService::Watcher {
  const Kind* kind = nullptr;
  std::string prefix;
  LabelSelector labels;
  FieldSelector fields;
  bool table = false;
  bool native = false;
  bool bookmarks = false;
  bool sent_columns = false;
  std::int64_t deadline_s = 0;
  std::int64_t last_bookmark_s = 0;
  std::shared_ptr<Exchange> exchange;
  bool ended = false;
};

struct ApiService::Loaded {
  StoredObject stored;
  Object object;
};

/// A request's JSON body (a 415 for other media types, a 400 when malformed; api_writes.cpp).
Result<nlohmann::json> parse_body(const HttpRequest& http);
HttpResponse body_error(const Error& e);
/// The body's apiVersion and kind, when given, must be the kind's (a 400 otherwise).
std::optional<HttpResponse> check_type(const Kind& kind, const nlohmann::json& body);

/// Labels and field values of a stored object, for selectors.
struct Selectable {
  Labels labels;
  std::map<std::string, std::string> fields;
};

/// One change on its way to every watcher it reaches: what each needs of it is decoded and
/// encoded once, not once per watcher (a change fanned out to 1,000 watchers is one JSON
/// encoding and 1,000 writes).
struct ApiService::Delivery {
  const Change& change;
  std::optional<std::optional<Selectable>> before, after;  ///< decoded on first need
  std::map<std::string, std::string> lines;                ///< event JSON line by type
};
Selectable selectable(const Kind& kind, ObjectReader object);
bool selected(const Selectable& s, const LabelSelector& labels, const FieldSelector& fields);

/// A kApiMediaType response.
inline HttpResponse native_response(int code, const ApiReply& reply) {
  return HttpResponse{code, kApiMediaType, encode_api_reply(reply)};
}

/// An object as a response's body: for a client asking kApiMediaType (Craton's components, over
/// envelopes) the stored bytes, with no JSON either way; otherwise its JSON text as encoded
/// (never parsed and dumped again).
inline HttpResponse object_response(bool native, int code, const KubeJson& codec,
                                    const Object& object, std::int64_t resource_version) {
  if (native) {
    ApiReply reply;
    reply.code = code;
    reply.object = ApiObjectBytes{object_to_bytes(object), resource_version};
    return native_response(code, reply);
  }
  return HttpResponse{code, "application/json",
                      object_to_json_text(codec, object, resource_version)};
}

}  // namespace craton::api
