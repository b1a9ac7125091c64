// The OpenAPI documents of the served kinds, generated from their Cap'n Proto schemas (field
// names are Kubernetes' JSON names, so the schema is the JSON shape; json_shape.hpp is the one
// mapping). Field descriptions are not carried (Cap'n Proto keeps no comments at runtime).
//
// - /openapi/v3 (JSON): what kubectl 1.28 and newer read, to learn that the server validates
//   fields itself (the fieldValidation parameter on each kind's PATCH) and for `kubectl
//   explain`. /openapi/v3 is the index of group-versions, each a document of its own at
//   /openapi/v3/<api/v1 | apis/<group>/<version>>, as kube-apiserver serves them.
// - /openapi/v2: one document for every group-version, in gnostic's protobuf form
//   (openapi.v2.Document, what kubectl up to 1.27 asks for and parses: client-side validation
//   of apply/create/edit/replace, explain, the fieldValidation check) or as JSON. Kinds are
//   found by the x-kubernetes-group-version-kind extension on their definitions.
//
// Every document depends only on compiled-in schemas: v2 is built once, on first use, and then
// shared read-only by every thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace craton::api {

/// The body of GET /openapi/v3.
std::string openapi_v3_index();
/// The document for a path under /openapi/v3/ ("api/v1", "apis/apps/v1"), or nullopt.
std::optional<std::string> openapi_v3_document(const std::string& group_version_path);

/// gnostic's protobuf form of /openapi/v2 as kubectl asks for it (Accept), and as
/// kube-apiserver labels it (Content-Type): Go's mime.ParseMediaType, which kubectl runs on the
/// answer, refuses the '@' of the first, so the answer carries the older dotted form.
inline constexpr std::string_view kOpenApiV2ProtobufAccept =
    "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
inline constexpr std::string_view kOpenApiV2ProtobufContentType =
    "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

/// GET /openapi/v2 in both of its forms.
struct OpenApiV2 {
  std::string protobuf;  ///< a serialized openapi.v2.Document
  std::string json;      ///< the same document as OpenAPI 2.0 JSON
  std::string etag;      ///< a quoted entity tag of both, for If-None-Match
};

/// The /openapi/v2 document, built on the first call (thread-safe); lives for the process.
const OpenApiV2& openapi_v2();

}  // namespace craton::api
