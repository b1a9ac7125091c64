// Stored bytes, typed messages and JSON of one object.
#include "actors/api/server/object_codec.hpp"
#include "actors/api/convert/kube_json.hpp"

#include <kj/exception.h>

#include <span>
#include <string>
#include <vector>

#include "runtime/flat_message.hpp"

namespace craton::api {
namespace {

// Empty texts are cleared (Kubernetes omits empty strings: "deletionTimestamp": "" would
// not parse as a time), so that equal objects have equal bytes.
void clear_empty_texts(capnp::DynamicStruct::Builder object) {
  for (auto field : object.getSchema().getFields()) {
    if (!object.has(field)) continue;
    auto type = field.getType();
    if (type.isText()) {
      if (object.get(field).as<capnp::Text>().size() == 0) object.clear(field);
    } else if (type.isStruct()) {
      clear_empty_texts(object.get(field).as<capnp::DynamicStruct>());
    } else if (type.isList() && type.asList().getElementType().isStruct()) {
      auto list = object.get(field).as<capnp::DynamicList>();
      for (unsigned i = 0; i < list.size(); ++i)
        clear_empty_texts(list[i].as<capnp::DynamicStruct>());
    }
  }
}

std::vector<std::string> path_segments(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (auto dot = path.find('.'); dot != std::string::npos; dot = path.find('.', start)) {
    out.push_back(path.substr(start, dot - start));
    start = dot + 1;
  }
  out.push_back(path.substr(start));
  return out;
}

// The zero of a field's type as Kubernetes writes it: false, 0 or "".
nlohmann::json zero_of(capnp::Type type) {
  if (type.isBool()) return false;
  if (type.isText()) return "";
  return 0;
}

// Writes the zero of Kind::zero_fields' `segments` under `at` (of `schema`) when absent.
// Objects on the way are made when missing (Go structs that are not pointers are always
// written) until the first list ("name[]"); inside a list's elements only what exists is
// filled (a ContainerStatus' state.terminated is a pointer: no terminated is made up).
// A segment the schema does not know stops there (kinds_test checks every path).
void write_zero_field(nlohmann::json& at, capnp::StructSchema schema,
                      std::span<const std::string> segments, bool make_parents) {
  std::string name = segments.front();
  bool list = name.ends_with("[]");
  if (list) name.resize(name.size() - 2);
  auto field = find_json_field(schema, name);
  if (!field) return;
  auto type = field->getType();
  if (segments.size() == 1) {
    if (!at.contains(name)) at[name] = zero_of(type);
    return;
  }
  auto child = at.find(name);
  if (list) {
    if (child == at.end() || !child->is_array() || !type.isList() ||
        !type.asList().getElementType().isStruct())
      return;
    auto element = type.asList().getElementType().asStruct();
    for (auto& item : *child)
      if (item.is_object()) write_zero_field(item, element, segments.subspan(1), false);
    return;
  }
  if (!type.isStruct()) return;
  if (child == at.end() || child->is_null()) {
    if (!make_parents) return;
    at[name] = nlohmann::json::object();
    child = at.find(name);
  }
  if (child->is_object())
    write_zero_field(*child, type.asStruct(), segments.subspan(1), make_parents);
}

void collect_unknown(const nlohmann::json& j, capnp::StructSchema schema, const std::string& path,
                     std::vector<std::string>& out) {
  if (!j.is_object()) return;
  for (auto it = j.begin(); it != j.end(); ++it) {
    auto f = find_json_field(schema, it.key());
    auto here = path.empty() ? it.key() : path + "." + it.key();
    if (f) {
      auto type = f->getType();
      if (type.isStruct() && !is_json_leaf(type.asStruct())) {
        collect_unknown(it.value(), type.asStruct(), here, out);
      } else if (type.isList() && type.asList().getElementType().isStruct() &&
                 it.value().is_array()) {
        auto element = type.asList().getElementType().asStruct();
        for (std::size_t i = 0; i < it.value().size(); ++i)
          collect_unknown(it.value()[i], element, here + "[" + std::to_string(i) + "]", out);
      }
    } else {
      out.push_back(here);
    }
  }
}

}  // namespace

ObjectBuilder Object::root() const {
  return message->getRoot<capnp::DynamicStruct>(kind->schema);
}

schema::k8s::ObjectMeta::Builder Object::meta() const {
  return root().get("metadata").as<capnp::DynamicStruct>().as<schema::k8s::ObjectMeta>();
}

Result<Object> object_from_bytes(const Kind& kind, const std::string& bytes) {
  auto flat = FlatMessage::open(bytes);
  if (!flat) return Error{"corrupt", "a stored object is " + flat.error().message};
  try {
    Object out{std::make_unique<capnp::MallocMessageBuilder>(), &kind};
    out.message->getRoot<capnp::AnyPointer>().setAs<capnp::DynamicStruct>(flat->root(kind.schema));
    return out;
  } catch (const kj::Exception& e) {
    return Error{"corrupt",
                 std::string("a stored object does not decode: ") + e.getDescription().cStr()};
  }
}

std::string object_to_bytes(const Object& object) {
  auto meta = object.meta();
  meta.setResourceVersion("");
  clear_empty_texts(object.root());
  return flat_bytes(*object.message);
}

Object copy_object(const Object& object) {
  Object out{std::make_unique<capnp::MallocMessageBuilder>(), object.kind};
  out.message->getRoot<capnp::AnyPointer>().setAs<capnp::DynamicStruct>(object.root().asReader());
  return out;
}

std::string object_to_json_text(const KubeJson& codec, const Object& object,
                                std::int64_t resource_version) {
  auto root = object.root();
  root.set("apiVersion", capnp::Text::Reader(object.kind->info.group_version().c_str()));
  root.set("kind", capnp::Text::Reader(object.kind->info.kind.c_str()));
  object.meta().setResourceVersion(std::to_string(resource_version));
  auto text = codec.encode(root.asReader());
  // ObjectMeta.DeletionGracePeriodSeconds is a pointer: Kubernetes writes it whenever it is
  // set, 0 included, and the API sets it with deletionTimestamp.
  bool marked = object.meta().getDeletionTimestamp().size() > 0;
  if (object.kind->zero_fields.empty() && !marked) return text;
  auto j = nlohmann::json::parse(text);
  for (const auto& path : object.kind->zero_fields)
    write_zero_field(j, object.kind->schema, path_segments(path), true);
  if (marked && !j["metadata"].contains("deletionGracePeriodSeconds"))
    j["metadata"]["deletionGracePeriodSeconds"] = 0;
  return j.dump();
}

nlohmann::json object_to_json(const KubeJson& codec, const Object& object,
                              std::int64_t resource_version) {
  auto j = nlohmann::json::parse(object_to_json_text(codec, object, resource_version));
  if (!j.contains("metadata")) j["metadata"] = nlohmann::json::object();
  return j;
}

std::vector<std::string> unknown_fields(const Kind& kind, const nlohmann::json& j) {
  std::vector<std::string> out;
  collect_unknown(j, kind.schema, "", out);
  return out;
}

void drop_nulls(nlohmann::json& j) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end();) {
      if (it->is_null()) {
        it = j.erase(it);
      } else {
        drop_nulls(*it);
        ++it;
      }
    }
  } else if (j.is_array()) {
    for (auto& element : j) drop_nulls(element);
  }
}

Result<Object> object_from_json(const KubeJson& codec, const Kind& kind, const nlohmann::json& j) {
  auto copy = j;
  drop_nulls(copy);
  auto decoded = codec.decode(copy.dump(), kind.schema);
  if (!decoded) return Error{"bad_request", decoded.error().message};
  Object out{std::move(*decoded), &kind};
  out.root().set("apiVersion", capnp::Text::Reader(kind.info.group_version().c_str()));
  out.root().set("kind", capnp::Text::Reader(kind.info.kind.c_str()));
  return out;
}

}  // namespace craton::api
