// OpenAPI v2 (gnostic's openapi.v2.Document) from the kinds' Cap'n Proto schemas, and its
// JSON form rendered from the same Document.
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "actors/api/convert/kube_json.hpp"
#include "actors/api/kinds/kinds.hpp"
#include "actors/api/openapi/json_shape.hpp"
#include "actors/api/openapi/openapi.hpp"
#include "actors/api/openapi/openapi_v2_schema.hpp"
#include "runtime/assert.hpp"
#include "runtime/stable_hash.hpp"

namespace craton::api {
namespace {

using json = nlohmann::json;
namespace v2 = ::openapi::v2;

std::string reference(capnp::StructSchema schema) {
  return "#/definitions/" + definition_name(schema);
}

// A vendor extension's value is YAML text in gnostic's Any; JSON is YAML, and is what the JSON
// form parses back.
void add_extension(google::protobuf::RepeatedPtrField<v2::NamedAny>* extensions,
                   const std::string& name, const json& value) {
  auto* named = extensions->Add();
  named->set_name(name);
  named->mutable_value()->set_yaml(value.dump());
}

void set_type(v2::Schema* out, const std::string& type, const std::string& format = "") {
  out->mutable_type()->add_value(type);
  if (!format.empty()) out->set_format(format);
}

// As kube-apiserver's v2 describes the same shapes: IntOrString and Quantity are strings (the
// validator of kubectl up to 1.27 accepts a number where a string is expected, so `cpu: 1` and
// `port: 8080` validate).
void describe(v2::Schema* out, capnp::Type type) {
  auto shape = json_shape(type);
  switch (shape.type) {
    case JsonShape::Type::string:
      return set_type(out, "string");
    case JsonShape::Type::bytes:
      return set_type(out, "string", "byte");
    case JsonShape::Type::boolean:
      return set_type(out, "boolean");
    case JsonShape::Type::int32:
      return set_type(out, "integer", "int32");
    case JsonShape::Type::int64:
      return set_type(out, "integer", "int64");
    case JsonShape::Type::number:
      return set_type(out, "number", "double");
    case JsonShape::Type::array:
      set_type(out, "array");
      return describe(out->mutable_items()->add_schema(), shape.element);
    case JsonShape::Type::string_map:
      set_type(out, "object");
      return set_type(out->mutable_additional_properties()->mutable_schema(), "string");
    case JsonShape::Type::quantity_map: {
      set_type(out, "object");
      auto* quantity = out->mutable_additional_properties()->mutable_schema();
      quantity->set_description("a quantity: \"500m\", \"1Gi\", or a number");
      return set_type(quantity, "string");
    }
    case JsonShape::Type::int_or_string:
      return set_type(out, "string", "int-or-string");
    case JsonShape::Type::object:
      out->set__ref(reference(shape.object));
      return;
  }
}

void add_definition(v2::Definitions* definitions, capnp::StructSchema schema) {
  auto* named = definitions->add_additional_properties();
  named->set_name(definition_name(schema));
  auto* definition = named->mutable_value();
  set_type(definition, "object");
  auto* properties = definition->mutable_properties();  // present even when empty: a struct
  for (auto field : schema.getFields()) {
    auto* property = properties->add_additional_properties();
    property->set_name(json_name(field));
    describe(property->mutable_value(), field.getType());
    if (auto merge = list_merge(field)) {
      auto* extensions = property->mutable_value()->mutable_vendor_extension();
      add_extension(extensions, "x-kubernetes-patch-strategy", "merge");
      if (!merge->merge_key.empty())
        add_extension(extensions, "x-kubernetes-patch-merge-key", merge->merge_key);
    }
  }
}

void add_query_parameter(v2::Operation* operation, const std::string& name) {
  auto* query = operation->add_parameters()
                    ->mutable_parameter()
                    ->mutable_non_body_parameter()
                    ->mutable_query_parameter_sub_schema();
  query->set_name(name);
  query->set_in("query");
  query->set_type("string");
}

void add_path_parameter(v2::PathItem* item, const std::string& name) {
  auto* path = item->add_parameters()
                   ->mutable_parameter()
                   ->mutable_non_body_parameter()
                   ->mutable_path_parameter_sub_schema();
  path->set_name(name);
  path->set_in("path");
  path->set_required(true);
  path->set_type("string");
}

v2::Operation* operation_slot(v2::PathItem* item, const std::string& method) {
  if (method == "get") return item->mutable_get();
  if (method == "put") return item->mutable_put();
  if (method == "post") return item->mutable_post();
  if (method == "patch") return item->mutable_patch();
  CRATON_ASSERT(method == "delete", "an operation's method is one of five");
  return item->mutable_delete_();
}

void add_operation(v2::PathItem* item, const Kind& kind, const KindOperation& op) {
  auto* operation = operation_slot(item, op.method);
  operation->set_operation_id(op.operation_id);
  if (op.method == "patch") {  // the patch types the server applies (server/patch.hpp)
    for (const char* type : {"application/json-patch+json", "application/merge-patch+json",
                             "application/strategic-merge-patch+json"})
      operation->add_consumes(type);
  } else {
    operation->add_consumes("application/json");
  }
  operation->add_produces("application/json");
  for (const auto& name : op.query_parameters) add_query_parameter(operation, name);
  auto* ok = operation->mutable_responses()->add_response_code();
  ok->set_name("200");
  auto* response = ok->mutable_value()->mutable_response();
  response->set_description("OK");
  response->mutable_schema()->mutable_schema()->set__ref(reference(kind.schema));
  add_extension(operation->mutable_vendor_extension(), "x-kubernetes-action", op.action);
  add_extension(operation->mutable_vendor_extension(), "x-kubernetes-group-version-kind",
                group_version_kind(kind.info));
}

// Paths in order of first appearance; each path item gets its path parameters once.
v2::PathItem* path_item(v2::Paths* paths, std::map<std::string, v2::PathItem*>& index,
                        const std::string& path) {
  if (auto it = index.find(path); it != index.end()) return it->second;
  auto* named = paths->add_path();
  named->set_name(path);
  auto* item = named->mutable_value();
  if (path.find("{namespace}") != std::string::npos) add_path_parameter(item, "namespace");
  if (path.find("{name}") != std::string::npos) add_path_parameter(item, "name");
  return index[path] = item;
}

v2::Document build_document() {
  v2::Document doc;
  doc.set_swagger("2.0");
  doc.mutable_info()->set_title("Craton");
  doc.mutable_info()->set_version("v1.32.0");
  std::set<std::string> defined;
  std::map<std::string, v2::PathItem*> index;
  for (const auto& kind : served_kinds()) {
    for (auto schema : reachable_structs(kind.schema))
      if (defined.insert(definition_name(schema)).second)
        add_definition(doc.mutable_definitions(), schema);
    for (const auto& op : kind_operations(kind))
      add_operation(path_item(doc.mutable_paths(), index, op.path), kind, op);
  }
  // The kinds' own definitions carry their group-version-kind: how kubectl finds a kind's
  // schema (a list, as kube-apiserver writes it, since one Go type may serve several).
  for (auto& named : *doc.mutable_definitions()->mutable_additional_properties())
    for (const auto& kind : served_kinds())
      if (named.name() == definition_name(kind.schema))
        add_extension(named.mutable_value()->mutable_vendor_extension(),
                      "x-kubernetes-group-version-kind",
                      json::array({group_version_kind(kind.info)}));
  return doc;
}

// The JSON form: what gnostic's protobuf holds, written back as OpenAPI 2.0 JSON.
void add_extensions_json(json& out,
                         const google::protobuf::RepeatedPtrField<v2::NamedAny>& extensions) {
  for (const auto& named : extensions) out[named.name()] = json::parse(named.value().yaml());
}

json schema_json(const v2::Schema& schema) {
  json out = json::object();
  if (!schema._ref().empty()) out["$ref"] = schema._ref();
  if (schema.type().value_size() == 1) out["type"] = schema.type().value(0);
  if (!schema.format().empty()) out["format"] = schema.format();
  if (!schema.description().empty()) out["description"] = schema.description();
  if (schema.items().schema_size() == 1) out["items"] = schema_json(schema.items().schema(0));
  if (schema.has_properties()) {
    out["properties"] = json::object();
    for (const auto& named : schema.properties().additional_properties())
      out["properties"][named.name()] = schema_json(named.value());
  }
  if (schema.additional_properties().has_schema())
    out["additionalProperties"] = schema_json(schema.additional_properties().schema());
  add_extensions_json(out, schema.vendor_extension());
  return out;
}

json parameter_json(const v2::ParametersItem& item) {
  const auto& parameter = item.parameter().non_body_parameter();
  if (parameter.has_path_parameter_sub_schema()) {
    const auto& path = parameter.path_parameter_sub_schema();
    return {{"name", path.name()}, {"in", path.in()}, {"required", true}, {"type", path.type()}};
  }
  const auto& query = parameter.query_parameter_sub_schema();
  return {{"name", query.name()}, {"in", query.in()}, {"type", query.type()}};
}

json operation_json(const v2::Operation& operation) {
  json out{{"operationId", operation.operation_id()},
           {"consumes", operation.consumes()},
           {"produces", operation.produces()},
           {"parameters", json::array()},
           {"responses", json::object()}};
  for (const auto& item : operation.parameters()) out["parameters"].push_back(parameter_json(item));
  for (const auto& code : operation.responses().response_code())
    out["responses"][code.name()] = {
        {"description", code.value().response().description()},
        {"schema", schema_json(code.value().response().schema().schema())}};
  add_extensions_json(out, operation.vendor_extension());
  return out;
}

json path_item_json(const v2::PathItem& item) {
  json out{{"parameters", json::array()}};
  for (const auto& parameter : item.parameters())
    out["parameters"].push_back(parameter_json(parameter));
  const std::pair<const char*, const v2::Operation*> methods[] = {
      {"get", item.has_get() ? &item.get() : nullptr},
      {"put", item.has_put() ? &item.put() : nullptr},
      {"post", item.has_post() ? &item.post() : nullptr},
      {"patch", item.has_patch() ? &item.patch() : nullptr},
      {"delete", item.has_delete_() ? &item.delete_() : nullptr}};
  for (const auto& [method, operation] : methods)
    if (operation) out[method] = operation_json(*operation);
  return out;
}

json document_json(const v2::Document& doc) {
  json out{{"swagger", doc.swagger()},
           {"info", {{"title", doc.info().title()}, {"version", doc.info().version()}}},
           {"paths", json::object()},
           {"definitions", json::object()}};
  for (const auto& named : doc.paths().path())
    out["paths"][named.name()] = path_item_json(named.value());
  for (const auto& named : doc.definitions().additional_properties())
    out["definitions"][named.name()] = schema_json(named.value());
  return out;
}

}  // namespace

::openapi::v2::Schema openapi_v2_schema(capnp::Type type) {
  v2::Schema schema;
  describe(&schema, type);
  return schema;
}

const OpenApiV2& openapi_v2() {
  static const OpenApiV2 served = [] {
    auto doc = build_document();
    OpenApiV2 out;
    CRATON_ASSERT(doc.SerializeToString(&out.protobuf), "the OpenAPI v2 document serializes");
    out.json = document_json(doc).dump();
    StableHash hash;  // of everything an answer carries, labels included
    hash.add(out.protobuf);
    hash.add(out.json);
    hash.add(kOpenApiV2ProtobufContentType);
    out.etag = "\"" + hash.hex() + "\"";
    return out;
  }();
  return served;
}

}  // namespace craton::api
