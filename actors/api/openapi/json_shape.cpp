// JsonShape: the one mapping from Cap'n Proto types to Kubernetes JSON, and what both OpenAPI
// documents share about each kind.
#include "actors/api/openapi/json_shape.hpp"

#include <optional>
#include <set>

#include "actors/api/convert/kube_json.hpp"
#include "actors/api/meta/merge_keys.hpp"
#include "schemas/api_meta.capnp.h"

namespace craton::api {
namespace {

using Shape = JsonShape::Type;

// The converter's special structs (convert/kube_json.hpp), or nullopt for a plain object.
std::optional<Shape> special_struct(capnp::StructSchema s) {
  namespace k8s = schema::k8s;
  if (s == capnp::Schema::from<k8s::StringMap>()) return Shape::string_map;
  if (s == capnp::Schema::from<k8s::ResourceList>()) return Shape::quantity_map;
  if (s == capnp::Schema::from<k8s::IntOrString>()) return Shape::int_or_string;
  if (s == capnp::Schema::from<k8s::Int32Box>()) return Shape::int32;
  if (s == capnp::Schema::from<k8s::Int64Box>()) return Shape::int64;
  if (s == capnp::Schema::from<k8s::BoolBox>()) return Shape::boolean;
  return std::nullopt;
}

JsonShape plain(Shape type) {
  JsonShape shape;
  shape.type = type;
  return shape;
}

void collect(capnp::StructSchema schema, std::set<uint64_t>& seen,
             std::vector<capnp::StructSchema>& out) {
  if (!seen.insert(schema.getProto().getId()).second) return;
  out.push_back(schema);
  for (auto field : schema.getFields()) {
    auto shape = json_shape(field.getType());
    while (shape.type == Shape::array) shape = json_shape(shape.element);
    if (shape.type == Shape::object) collect(shape.object, seen, out);
  }
}

}  // namespace

JsonShape json_shape(capnp::Type type) {
  switch (type.which()) {
    case capnp::schema::Type::TEXT:
      return plain(Shape::string);
    case capnp::schema::Type::DATA:
      return plain(Shape::bytes);
    case capnp::schema::Type::BOOL:
      return plain(Shape::boolean);
    case capnp::schema::Type::INT8:
    case capnp::schema::Type::INT16:
    case capnp::schema::Type::INT32:
    case capnp::schema::Type::UINT8:
    case capnp::schema::Type::UINT16:
      return plain(Shape::int32);
    case capnp::schema::Type::INT64:
    case capnp::schema::Type::UINT32:
    case capnp::schema::Type::UINT64:
      return plain(Shape::int64);
    case capnp::schema::Type::FLOAT32:
    case capnp::schema::Type::FLOAT64:
      return plain(Shape::number);
    case capnp::schema::Type::LIST: {
      auto shape = plain(Shape::array);
      shape.element = type.asList().getElementType();
      return shape;
    }
    case capnp::schema::Type::STRUCT: {
      auto s = type.asStruct();
      if (auto special = special_struct(s)) return plain(*special);
      auto shape = plain(Shape::object);
      shape.object = s;
      return shape;
    }
    default:
      return plain(Shape::string);
  }
}

std::optional<ListMerge> list_merge(capnp::StructSchema::Field field) {
  auto shape = json_shape(field.getType());
  if (shape.type != Shape::array) return std::nullopt;
  std::string name = json_name(field);
  auto element = json_shape(shape.element);
  if (element.type == Shape::string && list_merges_as_set(name)) return ListMerge{""};
  if (element.type != Shape::object) return std::nullopt;
  bool container_ports = element.object.findFieldByName("containerPort") != nullptr;
  auto key = list_merge_key(name, container_ports);
  if (key.empty()) return std::nullopt;
  return ListMerge{key};
}

std::string definition_name(capnp::StructSchema schema) {
  std::string display = schema.getProto().getDisplayName().cStr();
  return "io.k8s.craton." + display.substr(display.find(':') + 1);
}

std::vector<capnp::StructSchema> reachable_structs(capnp::StructSchema root) {
  std::set<uint64_t> seen;
  std::vector<capnp::StructSchema> out;
  collect(root, seen, out);
  return out;
}

std::string group_version_path(const ResourceInfo& info) {
  return info.group.empty() ? "api/" + info.version : "apis/" + info.group + "/" + info.version;
}

std::vector<KindOperation> kind_operations(const Kind& kind) {
  const auto& info = kind.info;
  std::string collection = "/" + group_version_path(info) + "/" +
                           (info.namespaced ? "namespaces/{namespace}/" : "") + info.plural;
  std::string named = collection + "/{name}";
  std::vector<std::string> reads{"dryRun"};
  std::vector<std::string> writes{"dryRun", "fieldValidation", "fieldManager"};
  return {
      {collection, "get", "list", "list" + info.kind, reads},
      {collection, "post", "post", "create" + info.kind, writes},
      {collection, "delete", "deletecollection", "deleteCollection" + info.kind, reads},
      {named, "get", "get", "read" + info.kind, reads},
      {named, "put", "put", "replace" + info.kind, writes},
      {named, "patch", "patch", "patch" + info.kind, writes},
      {named, "delete", "delete", "delete" + info.kind, reads},
  };
}

nlohmann::json group_version_kind(const ResourceInfo& info) {
  return {{"group", info.group}, {"kind", info.kind}, {"version", info.version}};
}

}  // namespace craton::api
