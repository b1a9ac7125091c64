// InformerObject: reading the metadata an informer keys and orders by.
#include "actors/api/informer/informer_object.hpp"

#include <charconv>

namespace craton::api {

Result<std::uint64_t> parse_resource_version(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    return Error{"malformed", "resourceVersion '" + std::string(text) + "' is not a revision"};
  return value;
}

namespace {

std::string text_field(capnp::DynamicStruct::Reader meta, const char* name) {
  auto text = meta.get(name).as<capnp::Text>();
  return std::string(text.cStr(), text.size());
}

}  // namespace

Result<InformerObject> make_informer_object(std::shared_ptr<capnp::MallocMessageBuilder> message,
                                            capnp::StructSchema schema) {
  CRATON_ASSERT(message != nullptr, "no message");
  if (schema.findFieldByName("metadata") == nullptr)
    return Error{"malformed", std::string(schema.getUnqualifiedName().cStr()) +
                                  " has no metadata: not a Kubernetes object"};
  InformerObject object;
  object.message_ = std::move(message);
  object.schema_ = schema;
  auto meta = object.reader().get("metadata").as<capnp::DynamicStruct>();
  object.name_ = text_field(meta, "name");
  object.namespace_ = text_field(meta, "namespace");
  object.uid_ = text_field(meta, "uid");
  if (object.name_.empty()) return Error{"malformed", "an object without metadata.name"};
  auto rv = parse_resource_version(text_field(meta, "resourceVersion"));
  if (!rv) return Error{"malformed", object.name_ + ": " + rv.error().message};
  object.resource_version_ = *rv;
  object.key_ = object.namespace_.empty() ? object.name_ : object.namespace_ + "/" + object.name_;
  return object;
}

}  // namespace craton::api
