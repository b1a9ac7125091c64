// Stored bytes, typed messages and JSON of one object.
#include "actors/api/server/object_codec.hpp"
#include "actors/api/convert/kube_json.hpp"
#include "actors/api/kinds/empty_texts.hpp"

#include <capnp/any.h>
#include <kj/exception.h>

#include <string>
#include <vector>

#include "runtime/flat_message.hpp"

namespace craton::api {
namespace {

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

// The kind's zero fields as compiled for the encoder (a test's Kind has none compiled).
std::shared_ptr<const ZeroFields> zeros_for(const Kind& kind, bool deleting) {
  const auto& kept = deleting ? kind.zeros_deleting : kind.zeros;
  return kept ? kept : zeros_of(kind, deleting);
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

// apiVersion, kind and resourceVersion set, and Kubernetes' zero fields (Kind::zero_fields;
// deletionGracePeriodSeconds while marked) written by the encoder as it goes.
std::string object_to_json_text(const KubeJson& codec, const Object& object,
                                std::int64_t resource_version) {
  auto root = object.root();
  root.set("apiVersion", capnp::Text::Reader(object.kind->info.group_version().c_str()));
  root.set("kind", capnp::Text::Reader(object.kind->info.kind.c_str()));
  object.meta().setResourceVersion(std::to_string(resource_version));
  auto zeros = zeros_for(*object.kind, marked_for_deletion(object));
  return codec.encode(root.asReader(), zeros.get());
}

nlohmann::json object_to_json(const KubeJson& codec, const Object& object,
                              std::int64_t resource_version) {
  auto j = nlohmann::json::parse(object_to_json_text(codec, object, resource_version));
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
  auto field = kind.schema.getFieldByName("status");
  auto status = object.root().asReader().get(field).as<capnp::DynamicStruct>();
  auto zeros = zeros_for(kind, false);
  j["status"] = nlohmann::json::parse(codec.encode(status, zeros->find(field.getIndex())));
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
  auto decoded = codec.decode_parsed(status, field.getType().asStruct());
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
  auto decoded = codec.decode_parsed(j, kind.schema);
  if (!decoded) return Error{"bad_request", decoded.error().message};
  Object out{std::move(*decoded), &kind};
  out.root().set("apiVersion", capnp::Text::Reader(kind.info.group_version().c_str()));
  out.root().set("kind", capnp::Text::Reader(kind.info.kind.c_str()));
  return out;
}

}  // namespace craton::api
