// The subresources beyond status: pods/binding (what a scheduler posts), pods/eviction
// (a delete that respects PodDisruptionBudgets, what `kubectl drain` posts) and
// deployments|replicasets/scale (autoscaling/v1 Scale, what `kubectl scale` patches).
#include <chrono>
#include <memory>
#include <variant>

#include "actors/api/convert/string_map.hpp"
#include "actors/api/kinds/checks.hpp"
#include "actors/api/meta/names.hpp"
#include "actors/api/server/api_errors.hpp"
#include "actors/api/server/api_internal.hpp"
#include "actors/api/server/patch.hpp"
#include "actors/api/server/table.hpp"
#include "runtime/flat_message.hpp"
#include "schemas/api_apps.capnp.h"
#include "schemas/api_pod.capnp.h"

namespace craton::api {
namespace {

using json = nlohmann::json;
namespace k8s = schema::k8s;

// A write that answers no object: kube's Success Status, or for Craton's own components
// (kApiMediaType) just the code.
HttpResponse success(int code, bool native = false) {
  if (native) {
    ApiReply reply;
    reply.code = code;
    return native_response(code, reply);
  }
  return json_response(code, {{"kind", "Status"},
                              {"apiVersion", "v1"},
                              {"metadata", json::object()},
                              {"status", "Success"},
                              {"code", code}});
}

// The body's apiVersion and kind, when given, must be one of `versions` and `kind`.
std::optional<HttpResponse> check_body_type(const json& body, const std::string& kind,
                                            const std::vector<std::string>& versions) {
  auto v = body.value("apiVersion", "");
  auto k = body.value("kind", "");
  bool version_ok = v.empty();
  for (const auto& known : versions) version_ok = version_ok || v == known;
  if (!version_ok || (!k.empty() && k != kind))
    return bad_request("the body must be a " + kind + " (" + versions.front() + "), not " + k +
                       " (" + v + ")");
  return std::nullopt;
}

// A Binding from a request's body: JSON as kubectl or client-go send it, or the Binding struct
// itself from Craton's schedulers (kApiMediaType, as ApiService::create takes objects: no JSON
// to encode, parse and decode on the path every pod takes).
std::variant<std::unique_ptr<capnp::MallocMessageBuilder>, HttpResponse> binding_of(
    const HttpRequest& http, const KubeJson& codec) {
  auto message = std::make_unique<capnp::MallocMessageBuilder>();
  if (http.content_type == kApiMediaType) {
    auto flat = FlatMessage::open(http.body);
    if (!flat) return bad_request("the Binding does not decode: " + flat.error().message);
    try {
      message->setRoot(flat->root<k8s::Binding>());
    } catch (const kj::Exception& e) {
      return bad_request(std::string("the Binding does not decode: ") + e.getDescription().cStr());
    }
    return message;
  }
  auto body = parse_body(http);
  if (!body) return body_error(body.error());
  if (auto e = check_body_type(*body, "Binding", {"v1"})) return *e;
  drop_nulls(*body);
  auto binding = codec.decode_parsed<k8s::Binding>(*body);
  if (!binding) return body_error(binding.error());
  return std::move(*binding);
}

// The string form of a Deployment's or ReplicaSet's spec.selector ("app=web,tier in (a,b)"),
// what Scale's status.selector carries.
std::string selector_string(const Object& object) {
  auto spec = object.root().asReader().get("spec").as<capnp::DynamicStruct>();
  auto selector = selector_of(spec.get("selector").as<k8s::LabelSelector>());
  return selector ? selector->to_string() : "";
}

// autoscaling/v1 Scale of a Deployment or ReplicaSet in JSON.
json scale_of(const json& object, const std::string& selector) {
  const json& meta = object["metadata"];
  json scale_meta = json::object();
  for (const char* field : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"})
    if (meta.contains(field)) scale_meta[field] = meta[field];
  json spec = object.value("spec", json::object());
  json status = object.value("status", json::object());
  return {{"kind", "Scale"},
          {"apiVersion", "autoscaling/v1"},
          {"metadata", scale_meta},
          {"spec", {{"replicas", spec.value("replicas", 1)}}},
          {"status", {{"replicas", status.value("replicas", 0)}, {"selector", selector}}}};
}

}  // namespace

Task<HttpResponse> ApiService::subresource(const Request& r) {
  const auto& sub = r.path.subresource;
  const auto& m = r.http.method;
  // (No co_await inside ?: : g++ 12 miscompiles it.)
  if (sub == "binding" && m == "POST") co_return co_await bind(r);
  if (sub == "eviction" && m == "POST") co_return co_await evict(r);
  if (sub == "scale" && (m == "GET" || m == "PUT" || m == "PATCH")) co_return co_await scale(r);
  if (sub == "binding" || sub == "eviction" || sub == "scale") co_return method_not_allowed();
  co_return status_error(404, "NotFound", "the server could not find the requested resource");
}

Task<HttpResponse> ApiService::scale(const Request& r) {
  const Kind& kind = *r.kind;
  HttpResponse last;
  for (int attempt = 0; attempt < options_.patch_attempts; ++attempt) {
    // A GET reads the store (what the client wrote is there); writes start from the cache and
    // retry from the store, as patch() does.
    auto loaded = co_await load(r, attempt == 0 && r.http.method != "GET");
    if (auto* refused = std::get_if<HttpResponse>(&loaded)) co_return *refused;
    auto& [old, object] = std::get<Loaded>(loaded);
    auto current = object_to_json(codec_, object, old.mod_revision);
    auto selector = selector_string(object);
    auto scale = scale_of(current, selector);
    if (r.http.method == "GET") co_return json_response(200, scale);
    json wanted;
    if (r.http.method == "PUT") {
      auto body = parse_body(r.http);
      if (!body) co_return body_error(body.error());
      if (auto e = check_body_type(*body, "Scale", {"autoscaling/v1"})) co_return *e;
      wanted = std::move(*body);
    } else {
      auto type = patch_type(r.http.content_type);
      if (!type) co_return status_error(415, "UnsupportedMediaType", type.error().message);
      auto patched = apply_patch(scale, r.http.body, *type);
      if (!patched) co_return status_error(422, "Invalid", patched.error().message);
      wanted = std::move(*patched);
    }
    auto rv = wanted["metadata"].is_object() ? wanted["metadata"].value("resourceVersion", "") : "";
    bool conditional = !rv.empty() && rv != scale["metadata"].value("resourceVersion", "");
    if (conditional) co_return from_error(Error{"conflict", ""}, kind, r.path.name);
    const json& replicas = wanted["spec"].is_object() ? wanted["spec"]["replicas"] : json();
    if (!replicas.is_number_integer())
      co_return bad_request("Scale spec.replicas must be an integer");
    if (replicas.get<std::int64_t>() < 0 || replicas.get<std::int64_t>() > INT32_MAX) {
      Causes causes;
      invalid(causes, "spec.replicas", replicas.get<std::int64_t>(),
              "must be greater than or equal to 0");
      co_return invalid(kind, r.path.name, causes);
    }
    json updated = current;
    updated["spec"]["replicas"] = replicas;
    last = co_await write_updated(r, std::move(updated), old);
    if (last.status == 409 && rv.empty()) continue;
    if (last.status != 200) co_return last;
    co_return json_response(200, scale_of(json::parse(last.body), selector));
  }
  co_return last;
}

Task<HttpResponse> ApiService::bind(const Request& r) {
  const Kind& kind = *r.kind;
  auto binding = binding_of(r.http, codec_);
  if (auto* refused = std::get_if<HttpResponse>(&binding)) co_return *refused;
  auto& message = *std::get<std::unique_ptr<capnp::MallocMessageBuilder>>(binding);
  auto target = message.getRoot<k8s::Binding>().getTarget();
  auto node = text(target.getName());
  Causes causes;
  if (node.empty()) required(causes, "target.name");
  if (target.getKind().size() != 0 && text(target.getKind()) != "Node")
    not_supported(causes, "target.kind", text(target.getKind()), {"Node"});
  // The Binding's annotations go onto the pod (kube's setPodHostAndAnnotations): how a
  // scheduler records what it chose beyond the node (craton.io/gpu-index, docs/research.md).
  auto annotations = as_map(message.getRoot<k8s::Binding>().getMetadata().getAnnotations());
  for (const auto& p : check_annotations(annotations))
    cause(causes, "FieldValueInvalid", "metadata.annotations", "Invalid value: " + p);
  if (!causes.empty()) co_return invalid(kind, r.path.name, causes);
  for (int attempt = 0; attempt < options_.patch_attempts; ++attempt) {
    auto loaded = co_await load(r, attempt == 0);  // the cache first, the store after a conflict
    if (auto* refused = std::get_if<HttpResponse>(&loaded)) co_return *refused;
    auto& [old, object] = std::get<Loaded>(loaded);
    auto pod = object.root().as<k8s::Pod>();
    if (pod.getMetadata().getDeletionTimestamp().size() != 0)
      co_return conflict(kind, r.path.name,
                         "pod " + r.path.name + " is being deleted, cannot be assigned to a host");
    if (pod.getSpec().getNodeName().size() != 0)
      co_return conflict(kind, r.path.name,
                         "pod " + r.path.name + " is already assigned to node \"" +
                             text(pod.getSpec().getNodeName()) + "\"");
    pod.getSpec().setNodeName(node);
    if (!annotations.empty()) {
      auto merged = as_map(pod.getMetadata().getAnnotations());
      for (const auto& [key, value] : annotations) merged[key] = value;
      set_map(pod.getMetadata().initAnnotations(), merged);
    }
    // PodScheduled=True, replacing any earlier PodScheduled condition.
    auto conditions = pod.getStatus().getConditions();
    std::vector<unsigned> kept;
    for (unsigned i = 0; i < conditions.size(); ++i)
      if (text(conditions[i].getType()) != "PodScheduled") kept.push_back(i);
    auto orphan = pod.getStatus().disownConditions();
    auto previous = orphan.getReader();
    auto list = pod.getStatus().initConditions(unsigned(kept.size() + 1));
    for (unsigned i = 0; i < kept.size(); ++i) list.setWithCaveats(i, previous[kept[i]]);
    auto scheduled = list[unsigned(kept.size())];
    scheduled.setType("PodScheduled");
    scheduled.setStatus("True");
    scheduled.setLastTransitionTime(format_rfc3339(now_s()));
    if (r.dry_run) co_return success(201, r.native);
    auto revision =
        co_await store_update(r.key(), object_to_bytes(object), old.mod_revision, &kind);
    if (!revision && revision.error().code == "conflict") continue;
    if (!revision) co_return from_error(revision.error(), kind, r.path.name);
    note_written(*revision);
    co_return success(201, r.native);
  }
  co_return from_error(Error{"conflict", ""}, kind, r.path.name);
}

Task<HttpResponse> ApiService::evict(const Request& r) {
  const Kind& pods = *r.kind;
  auto body = parse_body(r.http);
  if (!body) co_return body_error(body.error());
  if (auto e = check_body_type(*body, "Eviction", {"policy/v1", "policy/v1beta1"})) co_return *e;
  drop_nulls(*body);
  auto eviction = codec_.decode_parsed<k8s::Eviction>(*body);
  if (!eviction) co_return body_error(eviction.error());
  const Kind* budgets = find_kind("policy", "v1", "poddisruptionbudgets");
  for (int attempt = 0; attempt < options_.patch_attempts; ++attempt) {
    // From the store: whether budgets apply depends on the pod's phase, and no conditional
    // write on the pod would catch a cache that is behind.
    auto loaded = co_await load(r, false);
    if (auto* refused = std::get_if<HttpResponse>(&loaded)) co_return *refused;
    auto pod = std::get<Loaded>(loaded).object.root().as<k8s::Pod>().asReader();
    auto phase = text(pod.getStatus().getPhase());
    // Pods that are done, not yet running, or already going need no budget.
    bool ignore_budgets = phase == "Succeeded" || phase == "Failed" || phase == "Pending" ||
                          pod.getMetadata().getDeletionTimestamp().size() != 0;
    std::optional<CachedObject> budget;
    if (!ignore_budgets && budgets != nullptr) {
      auto labels = as_map(pod.getMetadata().getLabels());
      std::vector<CachedObject> matching;
      {
        std::lock_guard lock(mutex_);
        auto listed = cache_for("poddisruptionbudgets")
                          ->list(registry_prefix("poddisruptionbudgets", r.path.namespace_),
                                 ListMode::latest, 0);
        if (listed)
          for (auto& cached : listed->second) matching.push_back(std::move(cached));
      }
      std::erase_if(matching, [&](const CachedObject& cached) {
        auto pdb = object_from_bytes(*budgets, cached.value);
        if (!pdb) return true;
        auto spec = pdb->root().as<k8s::PodDisruptionBudget>().getSpec().asReader();
        auto selector = selector_of(spec.getSelector());
        return !spec.hasSelector() || !selector || !selector->matches(labels);
      });
      if (matching.size() > 1)
        co_return status_error(500, "InternalError",
                               "This pod has more than one PodDisruptionBudget, which the eviction "
                               "subresource does not support.");
      if (!matching.empty()) budget = matching.front();
    }
    if (budget) {
      auto pdb_object = object_from_bytes(*budgets, budget->value);
      if (!pdb_object) co_return from_error(pdb_object.error(), *budgets, "");
      auto pdb = pdb_object->root().as<k8s::PodDisruptionBudget>();
      auto status = pdb.getStatus();
      auto name = text(pdb.getMetadata().getName());
      std::string why;
      if (status.getObservedGeneration() < pdb.getMetadata().getGeneration())
        why = "The disruption budget " + name + " is still being processed by the server.";
      else if (status.getDisruptionsAllowed() <= 0)
        why = "The disruption budget " + name + " needs " +
              std::to_string(status.getDesiredHealthy()) + " healthy pods and has " +
              std::to_string(status.getCurrentHealthy()) + " currently";
      if (!why.empty())
        co_return status_error(
            429, "TooManyRequests",
            "Cannot evict pod as it would violate the pod's disruption budget.",
            {{"causes", json::array({{{"reason", "DisruptionBudget"}, {"message", why}}})}});
      // Spend one disruption: the budget's controller gives it back once the pod is gone.
      status.setDisruptionsAllowed(status.getDisruptionsAllowed() - 1);
      auto disrupted = as_map(status.getDisruptedPods());
      disrupted[r.path.name] = format_rfc3339(now_s());
      set_map(status.initDisruptedPods(), disrupted);
      if (!r.dry_run) {
        auto revision = co_await store_update(budget->key, object_to_bytes(*pdb_object),
                                              budget->mod_revision, budgets);
        if (!revision && revision.error().code == "conflict") continue;
        if (!revision) co_return from_error(revision.error(), *budgets, name);
        note_written(*revision);
      }
    }
    Request deletion = r;
    deletion.path.subresource.clear();
    deletion.http.method = "DELETE";
    json options = (*body).value("deleteOptions", json::object());
    deletion.http.body = options.dump();
    deletion.http.content_type = "application/json";
    auto deleted = co_await remove(deletion);
    if (deleted.status >= 300) co_return deleted;
    co_return success(201);
  }
  co_return from_error(Error{"conflict", ""}, pods, r.path.name);
}

}  // namespace craton::api
