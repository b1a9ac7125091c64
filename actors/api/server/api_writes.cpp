// CREATE, UPDATE, PATCH, DELETE and DELETECOLLECTION: admission (defaults, metadata rules,
// the kind's validation, the namespace), then one conditional write to the store.
#include <charconv>

#include "actors/api/server/api_errors.hpp"
#include "actors/api/server/api_internal.hpp"
#include "actors/api/server/patch.hpp"
#include "actors/api/server/request_body.hpp"
#include "actors/api/server/table.hpp"

namespace craton::api {
namespace {

using json = nlohmann::json;

// What a spec change is, for generation: anything outside metadata and status (compared in
// place: the objects are not copied to drop those members).
bool same_spec(const json& a, const json& b) {
  auto outside = [](const std::string& key) {
    return key == "metadata" || key == "status" || key == "apiVersion" || key == "kind";
  };
  std::size_t compared = 0;
  for (auto it = a.begin(); it != a.end(); ++it) {
    if (outside(it.key())) continue;
    auto other = b.find(it.key());
    if (other == b.end() || *other != it.value()) return false;
    ++compared;
  }
  for (auto it = b.begin(); it != b.end(); ++it)
    if (!outside(it.key())) --compared;
  return compared == 0;
}

std::vector<std::string> finalizers_of(schema::k8s::ObjectMeta::Reader meta) {
  std::vector<std::string> out;
  for (auto f : meta.getFinalizers()) out.push_back(text(f));
  return out;
}

void set_finalizers(schema::k8s::ObjectMeta::Builder meta, const std::vector<std::string>& f) {
  auto list = meta.initFinalizers(unsigned(f.size()));
  for (unsigned i = 0; i < f.size(); ++i) list.set(i, f[i]);
}

// fieldValidation: Strict (what kubectl 1.32 sends) makes unknown fields a 400, as
// kube-apiserver's strict decoding does; Warn (the default) drops them with a warning each;
// Ignore drops them silently.
std::optional<HttpResponse> check_fields(const Kind& kind, const json& body,
                                         const std::string& validation,
                                         std::vector<std::string>& warnings) {
  if (validation == "Ignore") return std::nullopt;
  if (!validation.empty() && validation != "Warn" && validation != "Strict")
    return bad_request("fieldValidation: unsupported value \"" + validation +
                       "\": supported values: \"Ignore\", \"Strict\", \"Warn\"");
  auto unknown = unknown_fields(kind, body);
  if (unknown.empty()) return std::nullopt;
  if (validation != "Strict") {
    for (const auto& field : unknown) warnings.push_back("unknown field \"" + field + "\"");
    return std::nullopt;
  }
  std::string message = "strict decoding error: ";
  for (std::size_t i = 0; i < unknown.size(); ++i)
    message += (i ? ", " : "") + std::string("unknown field \"") + unknown[i] + "\"";
  return bad_request(message);
}

HttpResponse with_warnings(HttpResponse response, std::vector<std::string> warnings) {
  response.warnings = std::move(warnings);
  return response;
}

}  // namespace

// The body in JSON, YAML or Kubernetes' protobuf (request_body.hpp), which must be an object.
Result<json> parse_body(const HttpRequest& http) {
  auto parsed = parse_request_body(http.content_type, http.body);
  if (!parsed) return parsed.error();
  auto j = std::move(*parsed);
  if (!j.is_object()) return Error{"bad_request", "the request body must be a JSON object"};
  return j;
}

HttpResponse body_error(const Error& e) {
  if (e.code == "unsupported_media_type")
    return status_error(415, "UnsupportedMediaType", e.message);
  return bad_request(e.message);
}

// The body's apiVersion and kind, when given, must be the URL's.
std::optional<HttpResponse> check_type(const Kind& kind, const json& body) {
  auto api_version = body.value("apiVersion", "");
  if (!api_version.empty() && api_version != kind.info.group_version())
    return bad_request("the API version in the data (" + api_version +
                       ") does not match the expected API version (" + kind.info.group_version() +
                       ")");
  auto k = body.value("kind", "");
  if (!k.empty() && k != kind.info.kind)
    return bad_request("the kind in the data (" + k + ") does not match the expected kind (" +
                       kind.info.kind + ")");
  return std::nullopt;
}

std::optional<HttpResponse> ApiService::check_namespace(const Request& r) {
  if (!r.kind->info.namespaced) return std::nullopt;
  std::optional<CachedObject> ns;
  {
    std::lock_guard lock(mutex_);
    ns = cache_for("namespaces")->get(registry_key("namespaces", "", r.path.namespace_));
  }
  const Kind* ns_kind = find_kind("", "v1", "namespaces");
  if (!ns) return not_found(*ns_kind, r.path.namespace_);
  auto object = object_from_bytes(*ns_kind, ns->value);
  if (object &&
      text(object->root().as<schema::k8s::Namespace>().getStatus().getPhase()) == "Terminating")
    return status_error(403, "Forbidden",
                        r.kind->info.plural + " \"" + r.path.name +
                            "\" is forbidden: unable to create new content in namespace " +
                            r.path.namespace_ + " because it is being terminated");
  return std::nullopt;
}

Task<HttpResponse> ApiService::create(const Request& r) {
  const Kind& kind = *r.kind;
  if (!r.path.subresource.empty() || (kind.info.namespaced && r.path.namespace_.empty()))
    co_return method_not_allowed();
  std::vector<std::string> warnings;
  std::optional<Object> object;
  if (r.http.content_type == kApiMediaType) {
    // Craton's own components (envelopes) send the kind's struct: typed, so there is no
    // apiVersion, kind or unknown field to check, and no JSON to parse.
    auto typed = object_from_bytes(kind, r.http.body);
    if (!typed) co_return bad_request("the object does not decode: " + typed.error().message);
    object = std::move(*typed);
  } else {
    auto body = parse_body(r.http);
    if (!body) co_return body_error(body.error());
    if (auto e = check_type(kind, *body)) co_return *e;
    if (auto e = check_fields(kind, *body, r.param("fieldValidation"), warnings)) co_return *e;
    auto decoded = object_from_json(codec_, kind, std::move(*body));  // not used after
    if (!decoded) co_return body_error(decoded.error());
    object = std::move(*decoded);
  }
  CreateContext context;
  context.namespaced = kind.info.namespaced;
  context.path_namespace = r.path.namespace_;
  context.name_is_dns_label = kind.name_is_dns_label;
  context.now = format_rfc3339(now_s());
  context.uid = options_.new_uid();
  context.name_suffix = options_.name_suffix;
  auto causes = prepare_create(object->meta(), context);
  auto name = text(object->meta().getName());
  if (!kind.uses_generation) object->meta().setGeneration(0);
  if (causes.empty() && kind.defaults) kind.defaults(object->root());
  if (causes.empty() && kind.on_create) kind.on_create(object->root());
  if (causes.empty())
    if (auto refused = admit(r, *object)) co_return *refused;
  if (kind.validate) kind.validate(object->root().asReader(), nullptr, causes);
  if (!causes.empty()) co_return invalid(kind, name, causes);
  Request named = r;
  named.path.name = name;
  if (auto s = co_await cache_at(written_revision()); !s)
    co_return from_error(s.error(), kind, name);
  if (auto e = check_namespace(named)) co_return *e;
  if (auto refused = co_await allocate_cluster_ip(named, *object)) co_return *refused;
  if (r.dry_run)
    co_return with_warnings(object_response(r.native, 201, codec_, *object, 0), warnings);
  auto bytes = object_to_bytes(*object);
  auto revision = co_await store_create(named.key(), bytes, &kind);
  if (!revision) co_return from_error(revision.error(), kind, name);
  note_written(*revision);
  co_return with_warnings(object_response(r.native, 201, codec_, *object, *revision), warnings);
}

Task<HttpResponse> ApiService::update(const Request& r) {
  auto body = parse_body(r.http);
  if (!body) co_return body_error(body.error());
  if (auto e = check_type(*r.kind, *body)) co_return *e;
  auto name = (*body)["metadata"].is_object() ? (*body)["metadata"].value("name", "") : "";
  if (name != r.path.name)
    co_return bad_request("the name of the object (" + name +
                          ") does not match the name on the URL (" + r.path.name + ")");
  // The first try writes over the cached object (no store read, as kube-apiserver's
  // GuaranteedUpdate does); a conflict may mean the cache was behind, so the second reads the
  // store.
  HttpResponse last;
  for (bool cached : {true, false}) {
    auto old = co_await current(r, cached);
    if (!old) co_return from_error(old.error(), *r.kind, r.path.name);
    if (!*old) co_return not_found(*r.kind, r.path.name);
    last = co_await write_updated(r, *body, **old);
    if (last.status != 409) co_return last;
  }
  co_return last;
}

Task<HttpResponse> ApiService::patch(const Request& r) {
  auto type = patch_type(r.http.content_type);
  if (!type) co_return status_error(415, "UnsupportedMediaType", type.error().message);
  HttpResponse last;
  for (int attempt = 0; attempt < options_.patch_attempts; ++attempt) {
    bool cached = attempt == 0;  // as update(): the cache first, the store after a conflict
    auto loaded = co_await load(r, cached);
    if (auto* refused = std::get_if<HttpResponse>(&loaded)) co_return *refused;
    auto& [old, object] = std::get<Loaded>(loaded);
    // A merge of the status subresource can change status only: it is applied to the status
    // alone (a JSON patch's paths may name any field, so it gets the whole object).
    bool status_only = r.path.subresource == "status" && *type != PatchType::json;
    auto current_json = status_only ? status_to_json(codec_, object, old.mod_revision)
                                    : object_to_json(codec_, object, old.mod_revision);
    auto patched = apply_patch(current_json, r.http.body, *type);
    if (!patched) co_return status_error(422, "Invalid", patched.error().message);
    // A patch that names no resourceVersion applies to whatever is current: retried when
    // another writer got in between. One that names it is conditional, like an update.
    bool conditional =
        (*patched)["metadata"].is_object() &&
        (*patched)["metadata"].value("resourceVersion", "") != std::to_string(old.mod_revision);
    last = co_await write_updated(r, std::move(*patched), old, &current_json);
    if (last.status != 409 || (conditional && !cached)) co_return last;
  }
  co_return last;
}

Task<std::variant<ApiService::Loaded, HttpResponse>> ApiService::load(const Request& r,
                                                                      bool cached) {
  auto stored = co_await current(r, cached);
  if (!stored) co_return from_error(stored.error(), *r.kind, r.path.name);
  if (!*stored) co_return not_found(*r.kind, r.path.name);
  auto object = object_from_bytes(*r.kind, (*stored)->value);
  if (!object) co_return from_error(object.error(), *r.kind, r.path.name);
  co_return Loaded{std::move(**stored), std::move(*object)};
}

Task<Result<ObjectStore::Found>> ApiService::current(const Request& r, bool cached) {
  if (cached) {
    std::optional<CachedObject> hit;
    {
      std::lock_guard lock(mutex_);
      hit = cache_for(r.kind->info.plural)->get(r.key());
    }
    if (hit)
      co_return std::optional<StoredObject>(StoredObject{hit->key, hit->value, hit->mod_revision});
  }
  co_return co_await store_get(r.key());
}

Task<HttpResponse> ApiService::write_updated(const Request& r, json body, const StoredObject& old,
                                             const json* old_json_known) {
  const Kind& kind = *r.kind;
  auto previous = object_from_bytes(kind, old.value);
  if (!previous) co_return from_error(previous.error(), kind, r.path.name);
  if (!body["metadata"].is_object()) body["metadata"] = json::object();
  std::vector<std::string> warnings;
  if (auto e = check_fields(kind, body, r.param("fieldValidation"), warnings)) co_return *e;

  auto rv = body["metadata"].value("resourceVersion", "");
  if (!rv.empty() && rv != std::to_string(old.mod_revision))
    co_return from_error(Error{"conflict", ""}, kind, r.path.name);
  // The status subresource changes status only: the stored object with the body's status (its
  // metadata and spec never go through JSON, and `old_json_known` may hold status alone).
  bool status_write = r.path.subresource == "status";
  std::optional<json> made;
  if (!status_write && old_json_known == nullptr)
    made = object_to_json(codec_, copy_object(*previous), old.mod_revision);
  const json* old_json = old_json_known != nullptr ? old_json_known : made ? &*made : nullptr;
  auto object = [&]() -> Result<Object> {
    if (status_write) {
      auto written = body.contains("status")
                         ? with_status_from_json(codec_, *previous, std::move(body["status"]))
                         : Result<Object>(copy_object(*previous));
      // An update names the version it replaces (prepare_update requires one), as the JSON
      // path's body does below.
      if (written) written->meta().setResourceVersion(std::to_string(old.mod_revision));
      return written;
    }
    // No resourceVersion: an unconditional update of what is stored now, which every kind
    // served allows (their Kubernetes strategies' AllowUnconditionalUpdate).
    if (rv.empty()) body["metadata"]["resourceVersion"] = std::to_string(old.mod_revision);
    // The main resource never changes status.
    if (old_json->contains("status"))
      body["status"] = (*old_json)["status"];
    else
      body.erase("status");
    return object_from_json(codec_, kind, std::move(body));  // not used after
  }();
  if (!object) co_return body_error(object.error());
  if (kind.defaults) kind.defaults(object->root());
  // Equal messages encode to equal JSON, so when the typed spec is unchanged (a patch of
  // labels, a status write) no JSON of the new object is made to compare; only a difference
  // there is judged on the JSON (where an empty list and an absent one are the same). A status
  // write copied spec and metadata: unchanged by construction.
  bool spec_changed = false;
  if (!status_write && (kind.annotations_bump_generation ||
                        !same_typed_spec(object->root().asReader(), previous->root().asReader()))) {
    auto new_json = object_to_json(codec_, copy_object(*object), 0);
    spec_changed = !same_spec(new_json, *old_json);
    if (kind.annotations_bump_generation)
      spec_changed =
          spec_changed || new_json["metadata"].value("annotations", json::object()) !=
                              (*old_json)["metadata"].value("annotations", json::object());
  }
  auto causes = prepare_update(object->meta(), previous->meta().asReader(), spec_changed);
  if (!kind.uses_generation) object->meta().setGeneration(0);
  auto old_reader = previous->root().asReader();
  if (kind.validate) kind.validate(object->root().asReader(), &old_reader, causes);
  if (!causes.empty()) co_return invalid(kind, r.path.name, causes);
  auto meta = object->meta();
  bool finished = meta.getDeletionTimestamp().size() > 0 && meta.getFinalizers().size() == 0;
  if (r.dry_run)
    co_return with_warnings(object_response(r.native, 200, codec_, *object, old.mod_revision),
                            warnings);
  if (finished) {
    // The last finalizer is gone from an object being deleted: it goes now.
    auto revision = co_await store_remove(r.key(), old.mod_revision);
    if (!revision) co_return from_error(revision.error(), kind, r.path.name);
    note_written(*revision);
    co_return with_warnings(object_response(r.native, 200, codec_, *object, *revision), warnings);
  }
  auto bytes = object_to_bytes(*object);
  if (bytes == old.value)
    co_return with_warnings(object_response(r.native, 200, codec_, *object, old.mod_revision),
                            warnings);
  auto revision = co_await store_update(r.key(), bytes, old.mod_revision, &kind);
  if (!revision) co_return from_error(revision.error(), kind, r.path.name);
  note_written(*revision);
  co_return with_warnings(object_response(r.native, 200, codec_, *object, *revision), warnings);
}

namespace {

// DeleteOptions.gracePeriodSeconds, from the body or the query (kubectl sends the body; curl
// users the query); negative means one second, as in kube's rest.BeforeDelete.
Result<std::optional<std::int64_t>> requested_grace(const nlohmann::json& options,
                                                    const std::string& query) {
  auto field = options.find("gracePeriodSeconds");
  if (field != options.end() && !field->is_null()) {
    if (!field->is_number_integer())
      return Error{"bad_request", "gracePeriodSeconds: must be an integer"};
    auto value = field->get<std::int64_t>();
    return std::optional<std::int64_t>(value < 0 ? 1 : value);
  }
  if (query.empty()) return std::optional<std::int64_t>();
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(query.data(), query.data() + query.size(), value);
  if (ec != std::errc() || end != query.data() + query.size())
    return Error{"bad_request", "gracePeriodSeconds: must be an integer"};
  return std::optional<std::int64_t>(value < 0 ? 1 : value);
}

}  // namespace

Task<HttpResponse> ApiService::remove(const Request& r) {
  json options = json::object();
  if (!r.http.body.empty()) {
    auto body = parse_body(r.http);
    if (!body) co_return body_error(body.error());
    options = std::move(*body);
  }
  auto grace = requested_grace(options, r.param("gracePeriodSeconds"));
  if (!grace) co_return bad_request(grace.error().message);
  // Each try reads the store and writes conditionally; a node agent writing the pod's status
  // between the two is no reason to refuse a DELETE (kube's GuaranteedUpdate retries too).
  for (int attempt = 0; attempt < options_.patch_attempts; ++attempt)
    if (auto response = co_await remove_once(r, options, *grace)) co_return std::move(*response);
  co_return from_error(Error{"conflict", ""}, *r.kind, r.path.name);
}

Task<std::optional<HttpResponse>> ApiService::remove_once(const Request& r, const json& options,
                                                          std::optional<std::int64_t> grace_s) {
  const Kind& kind = *r.kind;
  auto old = co_await store_get(r.key());
  if (!old) co_return from_error(old.error(), kind, r.path.name);
  if (!*old) co_return not_found(kind, r.path.name);
  auto object = object_from_bytes(kind, (*old)->value);
  if (!object) co_return from_error(object.error(), kind, r.path.name);
  auto meta = object->meta();
  if (options.contains("preconditions") && options["preconditions"].is_object()) {
    const auto& preconditions = options["preconditions"];
    auto uid = preconditions.value("uid", "");
    auto rv = preconditions.value("resourceVersion", "");
    if (!uid.empty() && uid != text(meta.getUid()))
      co_return conflict(kind, r.path.name,
                         "Precondition failed: UID in precondition: " + uid +
                             ", UID in object meta: " + text(meta.getUid()));
    if (!rv.empty() && rv != std::to_string((*old)->mod_revision))
      co_return conflict(
          kind, r.path.name,
          "Precondition failed: ResourceVersion in precondition: " + rv +
              ", ResourceVersion in object meta: " + std::to_string((*old)->mod_revision));
  }
  auto dry_run_option = options.find("dryRun");
  bool dry_run = r.dry_run || (dry_run_option != options.end() && dry_run_option->is_array() &&
                               !dry_run_option->empty());
  if (kind.info.plural == "namespaces" && !dry_run)
    co_return co_await delete_namespace(r, std::move(*object), **old);
  // propagationPolicy is kept for the garbage collector as its finalizer, as Kubernetes does.
  auto finalizers = finalizers_of(meta);
  auto policy = options.value("propagationPolicy", r.param("propagationPolicy"));
  if (!policy.empty() && policy != "Orphan" && policy != "Background" && policy != "Foreground")
    co_return bad_request("propagationPolicy: unsupported value \"" + policy +
                          "\": supported values: \"Background\", \"Foreground\", \"Orphan\"");
  auto add = [&finalizers](const std::string& f) {
    if (std::find(finalizers.begin(), finalizers.end(), f) == finalizers.end())
      finalizers.push_back(f);
  };
  if (policy == "Orphan") add("orphan");
  if (policy == "Foreground") add("foregroundDeletion");
  // Graceful deletion (kube's rest.BeforeDelete): the object is marked with deletionTimestamp
  // = now + grace and whoever runs it (the pod's node agent) deletes it with grace 0 once it
  // has stopped. Being marked already, a DELETE may shorten the grace, never lengthen it.
  bool deleting = meta.getDeletionTimestamp().size() > 0;
  std::int64_t marked_grace = meta.getDeletionGracePeriodSeconds();
  std::optional<std::pair<std::int64_t, std::int64_t>> mark;  // deletionTimestamp, grace
  if (kind.grace_period_s && (!deleting || marked_grace > 0)) {
    std::int64_t grace = 0;
    std::int64_t deadline = now_s();
    if (!deleting) {
      grace = kind.grace_period_s(object->root().asReader(), grace_s);
      deadline += grace;
    } else if (!grace_s || *grace_s >= marked_grace) {
      co_return object_response(r.native, 200, codec_, *object, (*old)->mod_revision);
    } else {
      grace = *grace_s;
      auto marked_at = parse_rfc3339(text(meta.getDeletionTimestamp()));
      if (marked_at) deadline = *marked_at - marked_grace + grace;
    }
    if (grace > 0) mark = {deadline, grace};
  }
  if (!mark) {  // at once, unless finalizers hold it
    if (dry_run) co_return object_response(r.native, 200, codec_, *object, (*old)->mod_revision);
    if (finalizers.empty()) {
      auto revision = co_await store_remove(r.key(), (*old)->mod_revision);
      if (!revision && revision.error().code == "conflict") co_return std::nullopt;
      if (!revision) co_return from_error(revision.error(), kind, r.path.name);
      note_written(*revision);
      co_return object_response(r.native, 200, codec_, *object, *revision);
    }
    // Finalizers hold the object: it is marked and goes when the last one is removed.
    if (deleting && marked_grace == 0)
      co_return object_response(r.native, 200, codec_, *object, (*old)->mod_revision);
    mark = {now_s(), 0};
  }
  meta.setDeletionTimestamp(format_rfc3339(mark->first));
  meta.setDeletionGracePeriodSeconds(mark->second);
  set_finalizers(meta, finalizers);
  if (dry_run) co_return object_response(r.native, 200, codec_, *object, (*old)->mod_revision);
  auto revision =
      co_await store_update(r.key(), object_to_bytes(*object), (*old)->mod_revision, &kind);
  if (!revision && revision.error().code == "conflict") co_return std::nullopt;
  if (!revision) co_return from_error(revision.error(), kind, r.path.name);
  note_written(*revision);
  co_return object_response(r.native, 200, codec_, *object, *revision);
}

// A namespace goes Terminating, then its contents are deleted, each by the normal graceful
// DELETE; it goes itself once nothing is left in it (what Kubernetes' namespace controller
// does; pods terminating on their nodes and contents held by finalizers keep it Terminating
// until they go: the namespace controller deletes it again until then).
Task<HttpResponse> ApiService::delete_namespace(const Request& r, Object ns, StoredObject old) {
  auto typed = ns.root().as<schema::k8s::Namespace>();
  std::int64_t at = old.mod_revision;
  if (text(typed.getStatus().getPhase()) != "Terminating") {
    typed.getStatus().setPhase("Terminating");
    typed.getMetadata().setDeletionTimestamp(format_rfc3339(now_s()));
    auto revision = co_await store_update(r.key(), object_to_bytes(ns), old.mod_revision, r.kind);
    if (!revision) co_return from_error(revision.error(), *r.kind, r.path.name);
    note_written(*revision);
    at = *revision;
  }
  if (auto s = co_await cache_at(at); !s) co_return from_error(s.error(), *r.kind, r.path.name);
  bool left = false;
  for (const auto& kind : served_kinds()) {
    if (!kind.info.namespaced) continue;
    std::vector<CachedObject> contents;
    {
      std::lock_guard lock(mutex_);
      auto listed = cache_for(kind.info.plural)
                        ->list(registry_prefix(kind.info.plural, r.path.name), ListMode::latest, 0);
      if (listed) contents = std::move(listed->second);
    }
    for (const auto& o : contents) {
      auto object = object_from_bytes(kind, o.value);
      if (!object) {
        left = true;
        continue;
      }
      // Each goes through the normal DELETE (no options), as kube's namespace controller
      // deletes them: a bound, running pod is only marked (deletionTimestamp, its grace) and
      // stays until its node agent has stopped it; finalizers hold what they hold. A DELETE of
      // something marked already changes nothing, so the controller's later passes are cheap.
      Request one;
      one.kind = &kind;
      one.path = ApiPath{kind.info.group,
                         kind.info.version,
                         r.path.name,
                         kind.info.plural,
                         text(object->meta().getName()),
                         ""};
      one.http.method = "DELETE";
      auto response = co_await remove(one);
      if (response.status == 404) continue;
      if (response.status != 200) {
        left = true;
        continue;
      }
      // Still there when the answer is the object marked (graceful or held by finalizers).
      auto answer = json::parse(response.body, nullptr, false);
      if (answer.is_object() && answer["metadata"].contains("deletionTimestamp")) left = true;
    }
  }
  if (!left) {
    auto revision = co_await store_remove(r.key(), at);
    if (revision) note_written(*revision);
  }
  co_return object_response(r.native, 200, codec_, ns, at);
}

Task<HttpResponse> ApiService::remove_collection(const Request& r) {
  if (r.kind->info.namespaced && r.path.namespace_.empty()) co_return method_not_allowed();
  auto names = co_await selected_names(r);
  if (!names) co_return from_error(names.error(), *r.kind, "");
  for (const auto& name : *names) {
    Request one = r;
    one.path.name = name;
    auto response = co_await remove(one);
    if (response.status != 200 && response.status != 404) co_return response;
  }
  co_return json_response(200, {{"kind", "Status"},
                                {"apiVersion", "v1"},
                                {"metadata", json::object()},
                                {"status", "Success"}});
}

Task<Status> ApiService::ensure_defaults() {
  auto post = [](const std::string& plural, const std::string& ns, json body) {
    Request r;
    r.kind = find_kind("", "v1", plural);
    r.path = ApiPath{"", "v1", ns, plural, "", ""};
    r.http.method = "POST";
    r.http.content_type = "application/json";
    r.http.body = body.dump();
    return r;
  };
  std::vector<Request> wanted;
  for (const char* name : {"default", "kube-system", "kube-public", "kube-node-lease"})
    wanted.push_back(post("namespaces", "", {{"metadata", {{"name", name}}}}));
  // kube-apiserver's own service: the first address of the range, https on 443.
  const json port{{"name", "https"},
                  {"port", 443},
                  {"protocol", "TCP"},
                  {"targetPort", options_.advertise_port}};
  wanted.push_back(post("services", "default",
                        {{"metadata",
                          {{"name", "kubernetes"},
                           {"labels", {{"component", "apiserver"}, {"provider", "kubernetes"}}}}},
                         {"spec",
                          {{"type", "ClusterIP"},
                           {"clusterIP", service_ips_.at(0)},
                           {"ports", json::array({port})}}}}));
  for (const auto& r : wanted) {
    // Made already (by this server earlier, or by another API server of the cluster): done.
    // Creating the kubernetes service again would be refused 422 (its IP is allocated), not
    // 409, so existence is looked at first, and again after a refusal: servers starting
    // together race to create it, and the loser's refusal only means it exists now.
    Request existing = r;
    existing.http.method = "GET";
    existing.path.name = json::parse(r.http.body)["metadata"]["name"].get<std::string>();
    auto found = co_await get(existing);
    if (found.status == 200) continue;
    auto response = co_await create(r);
    if (response.status == 201 || response.status == 409) continue;
    if ((co_await get(existing)).status == 200) continue;
    co_return Error{"unavailable", "cannot create " + r.kind->info.plural + " " + r.http.body +
                                       ": " + response.body};
  }
  // The kubernetes Endpoints: this server's lease and address (endpoint_reconciler.cpp).
  co_return co_await reconcile_endpoints();
}

}  // namespace craton::api
