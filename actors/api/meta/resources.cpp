#include "actors/api/meta/resources.hpp"

#include <nlohmann/json.hpp>

#include <set>

namespace craton::api {
namespace {

using json = nlohmann::json;

const std::vector<std::string> kVerbs{"create", "delete", "deletecollection", "get",
                                      "list",   "patch",  "update",           "watch"};

std::vector<ResourceInfo> make_table() {
  auto r = [](std::string group, std::string kind, std::string plural, bool namespaced,
              std::vector<std::string> short_names, std::vector<std::string> subresources,
              bool in_all = false) {
    ResourceInfo info;
    info.group = std::move(group);
    info.version = "v1";
    info.kind = std::move(kind);
    info.plural = std::move(plural);
    info.singular = info.kind;
    for (auto& c : info.singular) c = char(std::tolower(static_cast<unsigned char>(c)));
    info.namespaced = namespaced;
    info.short_names = std::move(short_names);
    info.subresources = std::move(subresources);
    if (in_all) info.categories = {"all"};
    return info;
  };
  return {
      r("", "Namespace", "namespaces", false, {"ns"}, {"status"}),
      r("", "Node", "nodes", false, {"no"}, {"status"}),
      r("", "Pod", "pods", true, {"po"}, {"status", "binding", "eviction", "log"}, true),
      r("", "Service", "services", true, {"svc"}, {"status"}, true),
      r("", "Endpoints", "endpoints", true, {"ep"}, {}),
      r("", "ConfigMap", "configmaps", true, {"cm"}, {}),
      r("", "Secret", "secrets", true, {}, {}),
      r("", "Event", "events", true, {"ev"}, {}),
      r("", "ServiceAccount", "serviceaccounts", true, {"sa"}, {}),
      r("apps", "Deployment", "deployments", true, {"deploy"}, {"status", "scale"}, true),
      r("apps", "ReplicaSet", "replicasets", true, {"rs"}, {"status", "scale"}, true),
      r("apps", "DaemonSet", "daemonsets", true, {"ds"}, {"status"}, true),
      r("batch", "Job", "jobs", true, {}, {"status"}, true),
      r("coordination.k8s.io", "Lease", "leases", true, {}, {}),
      r("scheduling.k8s.io", "PriorityClass", "priorityclasses", false, {"pc"}, {}),
      r("policy", "PodDisruptionBudget", "poddisruptionbudgets", true, {"pdb"}, {"status"}),
  };
}

json resource_json(const ResourceInfo& r) {
  json j{{"name", r.plural},
         {"singularName", r.singular},
         {"namespaced", r.namespaced},
         {"kind", r.kind},
         {"verbs", kVerbs}};
  if (!r.short_names.empty()) j["shortNames"] = r.short_names;
  if (!r.categories.empty()) j["categories"] = r.categories;
  return j;
}

json subresource_json(const ResourceInfo& r, const std::string& sub) {
  std::vector<std::string> verbs{"get", "patch", "update"};
  std::string kind = r.kind;
  if (sub == "binding") verbs = {"create"}, kind = "Binding";
  if (sub == "eviction") verbs = {"create"}, kind = "Eviction";
  if (sub == "log") verbs = {"get"};
  if (sub == "scale") kind = "Scale";
  json j{{"name", r.plural + "/" + sub},
         {"singularName", ""},
         {"namespaced", r.namespaced},
         {"kind", kind},
         {"verbs", verbs}};
  if (sub == "scale") j["group"] = "autoscaling", j["version"] = "v1";
  if (sub == "eviction") j["group"] = "policy", j["version"] = "v1";
  return j;
}

}  // namespace

const std::vector<ResourceInfo>& all_resources() {
  static const std::vector<ResourceInfo> table = make_table();
  return table;
}

std::optional<ResourceInfo> find_resource(const std::string& group, const std::string& version,
                                          const std::string& plural) {
  for (const auto& r : all_resources())
    if (r.group == group && r.version == version && r.plural == plural) return r;
  return std::nullopt;
}

std::string discovery_api_versions() {
  json j{{"kind", "APIVersions"},
         {"versions", {"v1"}},
         {"serverAddressByClientCIDRs", {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", ""}}}}};
  return j.dump();
}

std::string discovery_group_list() {
  json groups = json::array();
  std::set<std::string> seen;
  for (const auto& r : all_resources()) {
    if (r.group.empty() || !seen.insert(r.group).second) continue;
    json version{{"groupVersion", r.group_version()}, {"version", r.version}};
    groups.push_back({{"name", r.group}, {"versions", {version}}, {"preferredVersion", version}});
  }
  return json{{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}}.dump();
}

std::optional<std::string> discovery_resource_list(const std::string& group,
                                                   const std::string& version) {
  json resources = json::array();
  for (const auto& r : all_resources()) {
    if (r.group != group || r.version != version) continue;
    resources.push_back(resource_json(r));
    for (const auto& sub : r.subresources) resources.push_back(subresource_json(r, sub));
  }
  if (resources.empty()) return std::nullopt;
  json j{{"kind", "APIResourceList"},
         {"apiVersion", "v1"},
         {"groupVersion", group.empty() ? version : group + "/" + version},
         {"resources", resources}};
  return j.dump();
}

std::string discovery_version(const std::string& git_version) {
  // kubectl compares major/minor with its own to warn about skew: say 1.32, the API we follow.
  json j{{"major", "1"},       {"minor", "32"},           {"gitVersion", git_version},
         {"gitCommit", ""},    {"gitTreeState", "clean"}, {"buildDate", ""},
         {"goVersion", "n/a"}, {"compiler", "g++"},       {"platform", "linux/amd64"}};
  return j.dump();
}

}  // namespace craton::api
