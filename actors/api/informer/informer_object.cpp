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
  auto entry = std::make_shared<InformerObject::Entry>();
  entry->message = std::move(message);
  entry->schema = schema;
  auto meta = entry->message->getRoot<capnp::DynamicStruct>(schema)
                  .asReader()
                  .get("metadata")
                  .as<capnp::DynamicStruct>();
  entry->name = text_field(meta, "name");
  entry->name_space = text_field(meta, "namespace");
  entry->uid = text_field(meta, "uid");
  if (entry->name.empty()) return Error{"malformed", "an object without metadata.name"};
  auto rv = parse_resource_version(text_field(meta, "resourceVersion"));
  if (!rv) return Error{"malformed", entry->name + ": " + rv.error().message};
  entry->resource_version = *rv;
  entry->key = entry->name_space.empty() ? entry->name : entry->name_space + "/" + entry->name;
  return InformerObject(std::move(entry));
}

}  // namespace craton::api
