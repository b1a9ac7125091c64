// OpenAPI v3 for the served kinds, generated from their Cap'n Proto schemas (field names are
// Kubernetes' JSON names, so the schema is the JSON shape): what kubectl 1.32 reads to learn
// that the server validates fields itself (the fieldValidation parameter on each kind's PATCH)
// and what `kubectl explain` walks. /openapi/v3 is the index of group-versions, each a
// document of its own at /openapi/v3/<api/v1 | apis/<group>/<version>>, as kube-apiserver
// serves them. Field descriptions are not carried (Cap'n Proto keeps no comments at runtime).
#pragma once

#include <optional>
#include <string>

namespace craton::api {

/// The body of GET /openapi/v3.
std::string openapi_v3_index();
/// The document for a path under /openapi/v3/ ("api/v1", "apis/apps/v1"), or nullopt.
std::optional<std::string> openapi_v3_document(const std::string& group_version_path);

}  // namespace craton::api
