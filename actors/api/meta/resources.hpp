// The resources the API serves (issue 11's list), one table: group, version, kind, plural and
// singular names, short names, scope, verbs and subresources, and from it the discovery
// documents kubectl reads first (/api, /api/v1, /apis, /apis/<group>/<version>, /version),
// in Kubernetes' JSON shapes (APIVersions, APIResourceList, APIGroupList).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace craton::api {

struct ResourceInfo {
  std::string group;  ///< "" for core
  std::string version;
  std::string kind;
  std::string plural;
  std::string singular;
  bool namespaced = true;
  std::vector<std::string> short_names;
  std::vector<std::string> subresources;  ///< "status", "scale", "binding", "eviction"
  std::vector<std::string> categories;    ///< "all" for what `kubectl get all` shows

  std::string group_version() const { return group.empty() ? version : group + "/" + version; }
};

/// Every resource, core first, in a stable order.
const std::vector<ResourceInfo>& all_resources();

/// The resource `plural` of `group`/`version`, if served.
std::optional<ResourceInfo> find_resource(const std::string& group, const std::string& version,
                                          const std::string& plural);

// Discovery documents as JSON text.
std::string discovery_api_versions();  ///< /api
std::string discovery_group_list();    ///< /apis
std::optional<std::string> discovery_resource_list(const std::string& group,
                                                   const std::string& version);  ///< /api/v1, ...
std::string discovery_version(const std::string& git_version);                   ///< /version

}  // namespace craton::api
