// JsonShape: how a field of a Cap'n Proto object is written in Kubernetes JSON, the one mapping
// from the compiled schemas (schemas/api_meta.capnp) that both OpenAPI documents render: v3 as
// JSON Schema (openapi_v3.cpp), v2 as gnostic's protobuf (openapi_v2.cpp). The converter's
// special structs (StringMap, ResourceList, IntOrString and the boxed scalars, see
// convert/kube_json.hpp) are mapped here and nowhere else; every other struct is an object
// with a definition of its own, named by definition_name().
//
// Also what both documents share about each kind: the definitions reachable from it and the
// operations served on it. Pure functions of compiled-in schemas; no state.
#pragma once

#include <capnp/schema.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "actors/api/kinds/kinds.hpp"

namespace craton::api {

struct JsonShape {
  enum class Type {
    string,         ///< Text (times included: RFC 3339 text)
    bytes,          ///< Data: a base64 string
    boolean,        ///< Bool, BoolBox
    int32,          ///< Int8..Int32, UInt8, UInt16, Int32Box
    int64,          ///< Int64, UInt32, UInt64, Int64Box
    number,         ///< Float32, Float64
    array,          ///< List(element)
    string_map,     ///< StringMap: an object of strings
    quantity_map,   ///< ResourceList: an object of quantities ("500m", or a number on input)
    int_or_string,  ///< IntOrString: 8080 or "http"
    object,         ///< any other struct: a reference to definition_name(object)
  };
  Type type = Type::string;
  capnp::Type element;         ///< for array
  capnp::StructSchema object;  ///< for object
};

/// The JSON shape of a field of this type. Unions other than IntOrString, enums, interfaces and
/// AnyPointer do not occur in served kinds; they are described as strings.
JsonShape json_shape(capnp::Type type);

/// How strategic merge patch treats a list field (meta/merge_keys.hpp), which the documents carry
/// as x-kubernetes-patch-strategy "merge" and x-kubernetes-patch-merge-key: kubectl apply
/// computes its patch from them (up to 1.27 from /openapi/v2, later from v3), so the server's
/// reading of the patch must be the one they describe.
struct ListMerge {
  std::string merge_key;  ///< the key of a list of objects; "" for strings merged as a set
};

/// The strategic-merge behaviour of a field, or nullopt when it is not a list that merges (a
/// list replaced whole, or not a list).
std::optional<ListMerge> list_merge(capnp::StructSchema::Field field);

/// "schemas/api_meta.capnp:Namespace.Spec" -> "io.k8s.craton.Namespace.Spec": the definition
/// name of a struct in both documents.
std::string definition_name(capnp::StructSchema schema);

/// Every struct with a definition of its own reachable from `root` (root first, each once).
std::vector<capnp::StructSchema> reachable_structs(capnp::StructSchema root);

/// "api/v1" or "apis/<group>/<version>": the group-version's path under /openapi/v3/ and the
/// prefix of its REST paths.
std::string group_version_path(const ResourceInfo& info);

/// One REST operation served on a kind, as kube-apiserver names it in its OpenAPI documents.
struct KindOperation {
  std::string path;          ///< "/api/v1/namespaces/{namespace}/configmaps/{name}"
  std::string method;        ///< get | put | post | patch | delete (lower case, as in OpenAPI)
  std::string action;        ///< x-kubernetes-action: get | list | post | put | patch | ...
  std::string operation_id;  ///< "readConfigMap"
  /// Query parameters: dryRun always; fieldValidation and fieldManager on writes (kubectl looks
  /// for fieldValidation on a kind's PATCH to learn that the server validates fields).
  std::vector<std::string> query_parameters;
};

/// The seven operations of a kind (list, create, deletecollection; read, replace, patch,
/// delete), in that order.
std::vector<KindOperation> kind_operations(const Kind& kind);

/// The x-kubernetes-group-version-kind value of a kind, {"group", "kind", "version"}.
nlohmann::json group_version_kind(const ResourceInfo& info);

}  // namespace craton::api
