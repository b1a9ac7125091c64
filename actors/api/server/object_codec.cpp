// Stored bytes, typed messages and JSON of one object.
#include "actors/api/server/object_codec.hpp"
#include "actors/api/convert/kube_json.hpp"
#include "actors/api/kinds/empty_texts.hpp"

#include <capnp/any.h>
#include <kj/exception.h>

#include <span>
#include <string>
#include <vector>

#include "runtime/flat_message.hpp"

namespace craton::api {
namespace {

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
  // Empty texts are cleared (Kubernetes omits empty strings: "deletionTimestamp": "" would not
  // parse as a time), so that equal objects have equal bytes.
  auto plan = object.kind->empty_texts ? object.kind->empty_texts
                                       : EmptyTexts::of(object.kind->schema);  // a test's Kind
  plan->clear(object.message->getRoot<capnp::AnyPointer>().getAs<capnp::AnyStruct>());
  return flat_bytes(*object.message);
}

Object copy_object(const Object& object) {
  Object out{std::make_unique<capnp::MallocMessageBuilder>(), object.kind};
  out.message->getRoot<capnp::AnyPointer>().setAs<capnp::DynamicStruct>(object.root().asReader());
  return out;
}

namespace {

bool marked_for_deletion(const Object& object) {
  return object.meta().getDeletionTimestamp().size() > 0;
}

// The object's JSON text as the codec writes it, with apiVersion, kind and resourceVersion
// set; `needs_fixing` says whether Kubernetes' zero fields (or deletionGracePeriodSeconds)
// must still be written into it.
std::string encoded_text(const KubeJson& codec, const Object& object, std::int64_t resource_version,
                         bool& needs_fixing) {
  auto root = object.root();
  root.set("apiVersion", capnp::Text::Reader(object.kind->info.group_version().c_str()));
  root.set("kind", capnp::Text::Reader(object.kind->info.kind.c_str()));
  object.meta().setResourceVersion(std::to_string(resource_version));
  needs_fixing = !object.kind->zero_fields.empty() || marked_for_deletion(object);
  return codec.encode(root.asReader());
}

// Writes the zero fields Kubernetes writes into `j` (encoded_text's needs_fixing).
void write_zero_fields(const Object& object, nlohmann::json& j) {
  for (const auto& path : object.kind->zero_fields)
    write_zero_field(j, object.kind->schema, path_segments(path), true);
  // ObjectMeta.DeletionGracePeriodSeconds is a pointer: Kubernetes writes it whenever it is
  // set, 0 included, and the API sets it with deletionTimestamp.
  if (marked_for_deletion(object) && !j["metadata"].contains("deletionGracePeriodSeconds"))
    j["metadata"]["deletionGracePeriodSeconds"] = 0;
}

}  // namespace

bool same_typed_spec(ObjectReader a, ObjectReader b) {
  if (a.getSchema() != b.getSchema()) return false;
  // Copies with the parts outside the spec cleared, compared as whole structs.
  auto spec_only = [](ObjectReader o, capnp::MallocMessageBuilder& m) {
    m.getRoot<capnp::AnyPointer>().setAs<capnp::DynamicStruct>(o);
    auto root = m.getRoot<capnp::DynamicStruct>(o.getSchema());
    for (const char* name : {"metadata", "status", "apiVersion", "kind"})
      if (o.getSchema().findFieldByName(name) != nullptr) root.clear(name);
    return root.asReader();
  };
  try {
    capnp::MallocMessageBuilder ma, mb;
    capnp::AnyStruct::Reader sa = spec_only(a, ma), sb = spec_only(b, mb);
    return sa.equals(sb) == capnp::Equality::EQUAL;
  } catch (const kj::Exception&) {
    return false;  // not comparable here: the caller compares the JSON
  }
}

std::string object_to_json_text(const KubeJson& codec, const Object& object,
                                std::int64_t resource_version) {
  bool needs_fixing = false;
  auto text = encoded_text(codec, object, resource_version, needs_fixing);
  if (!needs_fixing) return text;
  auto j = nlohmann::json::parse(text);
  write_zero_fields(object, j);
  return j.dump();
}

// Parsed once: the text with its zero fields is never dumped to be parsed again.
nlohmann::json object_to_json(const KubeJson& codec, const Object& object,
                              std::int64_t resource_version) {
  bool needs_fixing = false;
  auto j = nlohmann::json::parse(encoded_text(codec, object, resource_version, needs_fixing));
  if (needs_fixing) write_zero_fields(object, j);
  if (!j.contains("metadata")) j["metadata"] = nlohmann::json::object();
  return j;
}

nlohmann::json status_to_json(const KubeJson& codec, const Object& object,
                              std::int64_t resource_version) {
  const Kind& kind = *object.kind;
  nlohmann::json j = nlohmann::json::object();
  j["apiVersion"] = kind.info.group_version();
  j["kind"] = kind.info.kind;
  j["metadata"]["resourceVersion"] = std::to_string(resource_version);
  auto status = object.root().asReader().get("status").as<capnp::DynamicStruct>();
  j["status"] = nlohmann::json::parse(codec.encode(status));
  for (const auto& path : kind.zero_fields)
    if (path.starts_with("status.")) write_zero_field(j, kind.schema, path_segments(path), true);
  return j;
}

Result<Object> with_status_from_json(const KubeJson& codec, const Object& object,
                                     nlohmann::json status) {
  Object out = copy_object(object);
  if (status.is_null()) {
    out.root().clear("status");
    return out;
  }
  drop_nulls(status);
  auto field = object.kind->schema.getFieldByName("status");
  auto decoded = codec.decode(status.dump(), field.getType().asStruct());
  if (!decoded) return Error{"bad_request", decoded.error().message};
  out.root().set(field,
                 (*decoded)->getRoot<capnp::DynamicStruct>(field.getType().asStruct()).asReader());
  return out;
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

Result<Object> object_from_json(const KubeJson& codec, const Kind& kind, nlohmann::json j) {
  drop_nulls(j);
  auto decoded = codec.decode(j.dump(), kind.schema);
  if (!decoded) return Error{"bad_request", decoded.error().message};
  Object out{std::move(*decoded), &kind};
  out.root().set("apiVersion", capnp::Text::Reader(kind.info.group_version().c_str()));
  out.root().set("kind", capnp::Text::Reader(kind.info.kind.c_str()));
  return out;
}

}  // namespace craton::api
