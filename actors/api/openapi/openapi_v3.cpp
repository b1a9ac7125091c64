// OpenAPI v3 documents (JSON Schema) from the kinds' Cap'n Proto schemas.
#include <nlohmann/json.hpp>
#include <set>

#include "actors/api/convert/kube_json.hpp"
#include "actors/api/kinds/kinds.hpp"
#include "actors/api/openapi/json_shape.hpp"
#include "actors/api/openapi/openapi.hpp"

namespace craton::api {
namespace {

using json = nlohmann::json;

std::string reference(capnp::StructSchema schema) {
  return "#/components/schemas/" + definition_name(schema);
}

json schema_of(capnp::Type type) {
  auto shape = json_shape(type);
  switch (shape.type) {
    case JsonShape::Type::string:
      return {{"type", "string"}};
    case JsonShape::Type::bytes:
      return {{"type", "string"}, {"format", "byte"}};
    case JsonShape::Type::boolean:
      return {{"type", "boolean"}};
    case JsonShape::Type::int32:
      return {{"type", "integer"}, {"format", "int32"}};
    case JsonShape::Type::int64:
      return {{"type", "integer"}, {"format", "int64"}};
    case JsonShape::Type::number:
      return {{"type", "number"}, {"format", "double"}};
    case JsonShape::Type::array:
      return {{"type", "array"}, {"items", schema_of(shape.element)}};
    case JsonShape::Type::string_map:
      return {{"type", "object"}, {"additionalProperties", {{"type", "string"}, {"default", ""}}}};
    case JsonShape::Type::quantity_map:  // kube-apiserver's v3 Quantity: a string or a number
      return {{"type", "object"},
              {"additionalProperties",
               {{"oneOf", json::array({{{"type", "string"}}, {{"type", "number"}}})}}}};
    case JsonShape::Type::int_or_string:
      return {{"x-kubernetes-int-or-string", true}};
    case JsonShape::Type::object:
      return {{"allOf", json::array({{{"$ref", reference(shape.object)}}})}};
  }
  return {{"type", "string"}};
}

json definition_of(capnp::StructSchema schema) {
  json properties = json::object();
  for (auto field : schema.getFields()) {
    auto& property = properties[json_name(field)] = schema_of(field.getType());
    if (auto merge = list_merge(field)) {
      property["x-kubernetes-patch-strategy"] = "merge";
      if (!merge->merge_key.empty()) property["x-kubernetes-patch-merge-key"] = merge->merge_key;
    }
  }
  return {{"type", "object"}, {"properties", properties}};
}

json operation(const Kind& kind, const KindOperation& op) {
  json parameters = json::array();
  for (const auto& name : op.query_parameters)
    parameters.push_back(
        {{"name", name}, {"in", "query"}, {"required", false}, {"schema", {{"type", "string"}}}});
  json ok{{"description", "OK"},
          {"content", {{"application/json", {{"schema", {{"$ref", reference(kind.schema)}}}}}}}};
  return {{"operationId", op.operation_id},
          {"x-kubernetes-action", op.action},
          {"x-kubernetes-group-version-kind", group_version_kind(kind.info)},
          {"responses", {{"200", ok}}},
          {"parameters", parameters}};
}

}  // namespace

std::string openapi_v3_index() {
  json paths = json::object();
  std::set<std::string> seen;
  for (const auto& kind : served_kinds()) {
    auto path = group_version_path(kind.info);
    if (!seen.insert(path).second) continue;
    paths[path] = {{"serverRelativeURL", "/openapi/v3/" + path + "?hash=craton"}};
  }
  return json{{"paths", paths}}.dump();
}

std::optional<std::string> openapi_v3_document(const std::string& document_path) {
  json schemas = json::object();
  json paths = json::object();
  bool any = false;
  for (const auto& kind : served_kinds()) {
    if (group_version_path(kind.info) != document_path) continue;
    any = true;
    for (auto schema : reachable_structs(kind.schema))
      schemas[definition_name(schema)] = definition_of(schema);
    schemas[definition_name(kind.schema)]["x-kubernetes-group-version-kind"] =
        json::array({group_version_kind(kind.info)});
    for (const auto& op : kind_operations(kind)) paths[op.path][op.method] = operation(kind, op);
  }
  if (!any) return std::nullopt;
  return json{{"openapi", "3.0.0"},
              {"info", {{"title", "Craton"}, {"version", "v1.32.0"}}},
              {"paths", paths},
              {"components", {{"schemas", schemas}}}}
      .dump();
}

}  // namespace craton::api
