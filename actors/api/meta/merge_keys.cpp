// Kubernetes' merge keys for the built-in types (the patchMergeKey tags of k8s.io/api).
#include "actors/api/meta/merge_keys.hpp"

#include <map>

namespace craton::api {

std::string list_merge_key(std::string_view field, bool elements_have_container_port) {
  static const std::map<std::string, std::string, std::less<>> keys = {
      {"containers", "name"},
      {"initContainers", "name"},
      {"ephemeralContainers", "name"},
      {"env", "name"},
      {"volumes", "name"},
      {"volumeMounts", "mountPath"},
      {"volumeDevices", "devicePath"},
      {"imagePullSecrets", "name"},
      {"hostAliases", "ip"},
      {"conditions", "type"},
      {"ownerReferences", "uid"},
      {"topologySpreadConstraints", "topologyKey"},
      {"resourceClaims", "name"},
      {"secrets", "name"},
  };
  if (field == "ports") return elements_have_container_port ? "containerPort" : "port";
  auto it = keys.find(field);
  return it == keys.end() ? "" : it->second;
}

bool list_merges_as_set(std::string_view field) {
  return field == "finalizers";
}

}  // namespace craton::api
