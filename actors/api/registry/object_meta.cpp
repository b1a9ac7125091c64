#include "actors/api/registry/object_meta.hpp"

#include <map>

#include "actors/api/convert/string_map.hpp"
#include "actors/api/meta/names.hpp"

namespace craton::api {
namespace {

namespace k8s = schema::k8s;

void invalid(std::vector<StatusCause>& causes, const std::string& field, const std::string& value,
             const std::string& why) {
  causes.push_back({"FieldValueInvalid", field, "Invalid value: \"" + value + "\": " + why});
}

void check_name(std::vector<StatusCause>& causes, const std::string& name, bool dns_label) {
  auto problems = dns_label ? check_dns1123_label(name) : check_dns1123_subdomain(name);
  for (const auto& p : problems) invalid(causes, "metadata.name", name, p);
}

void check_labels_and_annotations(std::vector<StatusCause>& causes, k8s::ObjectMeta::Reader meta) {
  for (const auto& p : check_labels(as_map(meta.getLabels())))
    causes.push_back({"FieldValueInvalid", "metadata.labels", "Invalid value: " + p});
  for (const auto& p : check_annotations(as_map(meta.getAnnotations())))
    causes.push_back({"FieldValueInvalid", "metadata.annotations", "Invalid value: " + p});
}

// Kubernetes' generated names: generateName plus 5 characters, within 253 (prefix cut to 58).
constexpr std::size_t kGeneratedPrefixMax = 253 - 5;

}  // namespace

std::string registry_key(const std::string& resource, const std::string& namespace_,
                         const std::string& name) {
  return registry_prefix(resource, namespace_) + name;
}

std::string registry_prefix(const std::string& resource, const std::string& namespace_) {
  return "/registry/" + resource + "/" + (namespace_.empty() ? "" : namespace_ + "/");
}

std::vector<StatusCause> prepare_create(k8s::ObjectMeta::Builder meta,
                                        const CreateContext& context) {
  std::vector<StatusCause> causes;
  auto name = text(meta.getName());
  auto generate = text(meta.getGenerateName());
  if (name.empty() && !generate.empty() && context.name_suffix) {
    name = generate.substr(0, kGeneratedPrefixMax) + context.name_suffix();
    meta.setName(name);
  }
  if (name.empty())
    causes.push_back({"FieldValueRequired", "metadata.name",
                      "Required value: name or generateName is required"});
  else
    check_name(causes, name, context.name_is_dns_label);
  auto ns = text(meta.getNamespace());
  if (context.namespaced) {
    if (ns.empty()) meta.setNamespace(ns = context.path_namespace);
    if (ns != context.path_namespace)
      causes.push_back({"FieldValueInvalid", "metadata.namespace",
                        "the namespace of the provided object does not match the namespace "
                        "sent on the request"});
    if (ns.empty())
      causes.push_back({"FieldValueRequired", "metadata.namespace", "Required value"});
  } else if (!ns.empty()) {
    meta.setNamespace("");  // cluster-scoped: kube-apiserver clears it
  }
  check_labels_and_annotations(causes, meta.asReader());
  if (meta.hasDeletionTimestamp() && meta.getDeletionTimestamp().size() > 0)
    causes.push_back({"FieldValueForbidden", "metadata.deletionTimestamp",
                      "Forbidden: may not be set on create"});
  if (!causes.empty()) return causes;
  meta.setUid(context.uid);
  meta.setCreationTimestamp(context.now);
  meta.setGeneration(1);
  meta.setResourceVersion("");  // the store's revision, set when read back
  meta.setDeletionGracePeriodSeconds(0);
  return causes;
}

std::vector<StatusCause> prepare_update(k8s::ObjectMeta::Builder meta, k8s::ObjectMeta::Reader old,
                                        bool spec_changed) {
  std::vector<StatusCause> causes;
  if (meta.getResourceVersion().size() == 0)
    causes.push_back({"FieldValueInvalid", "metadata.resourceVersion",
                      "Invalid value: 0x0: must be specified for an update"});
  auto immutable = [&](const char* field, capnp::Text::Reader now, capnp::Text::Reader was) {
    if (now.size() > 0 && text(now) != text(was))
      causes.push_back(
          {"FieldValueInvalid", field, "Invalid value: \"" + text(now) + "\": field is immutable"});
  };
  immutable("metadata.name", meta.getName(), old.getName());
  immutable("metadata.namespace", meta.getNamespace(), old.getNamespace());
  immutable("metadata.uid", meta.getUid(), old.getUid());
  check_labels_and_annotations(causes, meta.asReader());
  if (!causes.empty()) return causes;
  // What the server owns comes from the stored object, whatever the client sent.
  meta.setName(old.getName());
  meta.setNamespace(old.getNamespace());
  meta.setUid(old.getUid());
  meta.setCreationTimestamp(old.getCreationTimestamp());
  meta.setDeletionTimestamp(old.getDeletionTimestamp());
  meta.setDeletionGracePeriodSeconds(old.getDeletionGracePeriodSeconds());
  meta.setGeneration(old.getGeneration() + (spec_changed ? 1 : 0));
  return causes;
}

}  // namespace craton::api
