// The served kinds: defaults, validation and table columns as kube-apiserver has them
// (pkg/apis/core/validation, pkg/printers/internalversion).
#include "actors/api/kinds/kinds.hpp"

#include "actors/api/kinds/kind_factories.hpp"
#include "schemas/api_meta.capnp.h"

namespace craton::api {
namespace {

std::vector<Kind> make_kinds() {
  std::vector<std::pair<std::string, Kind (*)()>> by_plural = {
      {"namespaces", namespace_kind},
      {"nodes", node_kind},
      {"pods", pod_kind},
      {"services", service_kind},
      {"endpoints", endpoints_kind},
      {"configmaps", configmap_kind},
      {"secrets", secret_kind},
      {"serviceaccounts", serviceaccount_kind},
      {"events", event_kind},
      {"leases", lease_kind},
      {"priorityclasses", priorityclass_kind},
      {"deployments", deployment_kind},
      {"replicasets", replicaset_kind},
      {"daemonsets", daemonset_kind},
      {"jobs", job_kind},
      {"poddisruptionbudgets", poddisruptionbudget_kind}};
  std::vector<Kind> out;
  for (const auto& info : all_resources())
    for (const auto& [plural, make] : by_plural)
      if (info.plural == plural) {
        auto kind = make();
        kind.info = info;
        kind.empty_texts = EmptyTexts::of(kind.schema);
        kind.zeros = zeros_of(kind, false);
        kind.zeros_deleting = zeros_of(kind, true);
        out.push_back(std::move(kind));
      }
  return out;
}

}  // namespace

std::shared_ptr<const ZeroFields> zeros_of(const Kind& kind, bool deleting) {
  auto paths = kind.zero_fields;
  if (deleting) paths.push_back("metadata.deletionGracePeriodSeconds");
  return std::make_shared<const ZeroFields>(ZeroFields::of(kind.schema, paths));
}

const std::vector<Kind>& served_kinds() {
  static const std::vector<Kind> kinds = make_kinds();
  return kinds;
}

const Kind* find_kind(const std::string& group, const std::string& version,
                      const std::string& plural) {
  for (const auto& kind : served_kinds())
    if (kind.info.group == group && kind.info.version == version && kind.info.plural == plural)
      return &kind;
  return nullptr;
}

}  // namespace craton::api
