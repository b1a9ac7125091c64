// OpenAPI v3 documents from the kinds' Cap'n Proto schemas.
#include "actors/api/server/openapi.hpp"

#include <capnp/schema.h>

#include <nlohmann/json.hpp>
#include <set>

#include "actors/api/kinds/kinds.hpp"
#include "schemas/api_meta.capnp.h"

namespace craton::api {
namespace {

using json = nlohmann::json;

std::string path_of(const ResourceInfo& info) {
  return info.group.empty() ? "api/" + info.version : "apis/" + info.group + "/" + info.version;
}

// "schemas/api_meta.capnp:Namespace.Spec" -> "io.k8s.craton.Namespace.Spec".
std::string schema_name(capnp::StructSchema schema) {
  std::string display = schema.getProto().getDisplayName().cStr();
  return "io.k8s.craton." + display.substr(display.find(':') + 1);
}

void add_struct(json& schemas, capnp::StructSchema schema);

json type_of(json& schemas, capnp::Type type) {
  switch (type.which()) {
    case capnp::schema::Type::TEXT:
      return {{"type", "string"}};
    case capnp::schema::Type::DATA:
      return {{"type", "string"}, {"format", "byte"}};
    case capnp::schema::Type::BOOL:
      return {{"type", "boolean"}};
    case capnp::schema::Type::INT8:
    case capnp::schema::Type::INT16:
    case capnp::schema::Type::INT32:
    case capnp::schema::Type::UINT8:
    case capnp::schema::Type::UINT16:
      return {{"type", "integer"}, {"format", "int32"}};
    case capnp::schema::Type::INT64:
    case capnp::schema::Type::UINT32:
    case capnp::schema::Type::UINT64:
      return {{"type", "integer"}, {"format", "int64"}};
    case capnp::schema::Type::FLOAT32:
    case capnp::schema::Type::FLOAT64:
      return {{"type", "number"}, {"format", "double"}};
    case capnp::schema::Type::LIST:
      return {{"type", "array"}, {"items", type_of(schemas, type.asList().getElementType())}};
    case capnp::schema::Type::STRUCT: {
      auto s = type.asStruct();
      namespace k8s = schema::k8s;
      if (s == capnp::Schema::from<k8s::StringMap>())
        return {{"type", "object"},
                {"additionalProperties", {{"type", "string"}, {"default", ""}}}};
      // The converter's special shapes (kube_json.hpp), as kube-apiserver describes them.
      if (s == capnp::Schema::from<k8s::ResourceList>())
        return {{"type", "object"},
                {"additionalProperties",
                 {{"oneOf", json::array({{{"type", "string"}}, {{"type", "number"}}})}}}};
      if (s == capnp::Schema::from<k8s::IntOrString>())
        return {{"x-kubernetes-int-or-string", true}};
      if (s == capnp::Schema::from<k8s::Int32Box>())
        return {{"type", "integer"}, {"format", "int32"}};
      if (s == capnp::Schema::from<k8s::Int64Box>())
        return {{"type", "integer"}, {"format", "int64"}};
      if (s == capnp::Schema::from<k8s::BoolBox>()) return {{"type", "boolean"}};
      add_struct(schemas, s);
      return {{"allOf", json::array({{{"$ref", "#/components/schemas/" + schema_name(s)}}})}};
    }
    default:
      return {{"type", "string"}};
  }
}

void add_struct(json& schemas, capnp::StructSchema schema) {
  auto name = schema_name(schema);
  if (schemas.contains(name)) return;
  schemas[name] = json::object();  // before the fields: a struct may refer to itself
  json properties = json::object();
  for (auto field : schema.getFields())
    properties[field.getProto().getName().cStr()] = type_of(schemas, field.getType());
  schemas[name] = {{"type", "object"}, {"properties", properties}};
}

json parameter(const std::string& name, const std::string& in, bool required = false) {
  return {{"name", name}, {"in", in}, {"required", required}, {"schema", {{"type", "string"}}}};
}

json operation(const Kind& kind, const std::string& action, const std::string& verb) {
  json gvk{{"group", kind.info.group}, {"version", kind.info.version}, {"kind", kind.info.kind}};
  json op{
      {"operationId", verb + kind.info.kind},
      {"x-kubernetes-action", action},
      {"x-kubernetes-group-version-kind", gvk},
      {"responses",
       {{"200",
         {{"description", "OK"},
          {"content",
           {{"application/json",
             {{"schema", {{"$ref", "#/components/schemas/" + schema_name(kind.schema)}}}}}}}}}}}};
  json params = json::array({parameter("dryRun", "query")});
  if (action == "patch" || action == "post" || action == "put")
    params.push_back(parameter("fieldValidation", "query"));
  if (action == "patch" || action == "post" || action == "put")
    params.push_back(parameter("fieldManager", "query"));
  op["parameters"] = params;
  return op;
}

}  // namespace

std::string openapi_v3_index() {
  json paths = json::object();
  std::set<std::string> seen;
  for (const auto& kind : served_kinds()) {
    auto path = path_of(kind.info);
    if (!seen.insert(path).second) continue;
    paths[path] = {{"serverRelativeURL", "/openapi/v3/" + path + "?hash=craton"}};
  }
  return json{{"paths", paths}}.dump();
}

std::optional<std::string> openapi_v3_document(const std::string& group_version_path) {
  json schemas = json::object();
  json paths = json::object();
  bool any = false;
  for (const auto& kind : served_kinds()) {
    if (path_of(kind.info) != group_version_path) continue;
    any = true;
    add_struct(schemas, kind.schema);
    auto& root = schemas[schema_name(kind.schema)];
    root["x-kubernetes-group-version-kind"] = json::array(
        {{{"group", kind.info.group}, {"version", kind.info.version}, {"kind", kind.info.kind}}});
    std::string base = "/" + group_version_path + "/" +
                       (kind.info.namespaced ? "namespaces/{namespace}/" : "") + kind.info.plural;
    paths[base] = {{"get", operation(kind, "list", "list")},
                   {"post", operation(kind, "post", "create")},
                   {"delete", operation(kind, "deletecollection", "deleteCollection")}};
    paths[base + "/{name}"] = {{"get", operation(kind, "get", "read")},
                               {"put", operation(kind, "put", "replace")},
                               {"patch", operation(kind, "patch", "patch")},
                               {"delete", operation(kind, "delete", "delete")}};
  }
  if (!any) return std::nullopt;
  return json{{"openapi", "3.0.0"},
              {"info", {{"title", "Craton"}, {"version", "v1.32.0"}}},
              {"paths", paths},
              {"components", {{"schemas", schemas}}}}
      .dump();
}

}  // namespace craton::api
