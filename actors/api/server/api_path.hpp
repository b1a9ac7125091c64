// ApiPath: what a Kubernetes API URL names, as kube-apiserver's request info resolver reads it:
//   /api/v1/<resource>[/<name>[/<subresource>]]                         cluster-wide
//   /api/v1/namespaces/<ns>/<resource>[/<name>[/<subresource>]]         in a namespace
//   /apis/<group>/<version>/...                                         the same for groups
// /api/v1/namespaces/<name>[/status|/finalize] is the namespace itself (namespaces are a
// resource whose items are also the scope of others). Discovery paths are not ApiPaths.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace craton::api {

struct ApiPath {
  std::string group;  ///< "" for core
  std::string version;
  std::string namespace_;  ///< "" when the URL names no namespace
  std::string resource;
  std::string name;  ///< "" for collections
  std::string subresource;
  bool operator==(const ApiPath&) const = default;
};

/// The resource path named by `path` (already percent-decoded, no query), or nullopt.
std::optional<ApiPath> parse_api_path(std::string_view path);

}  // namespace craton::api
