// InformerObject: one Kubernetes object as an informer holds it: the typed Cap'n Proto struct
// (schemas/api_*.capnp) it was decoded into, shared and never modified, with the metadata the
// informer keys and orders by (namespace/name, resourceVersion, uid) read out once.
//
// Why typed and not JSON: objects cross actor boundaries as these structs, controllers read
// fields through generated accessors (`object.as<k8s::Pod>().getSpec().getNodeName()`), and
// the envelope transport (a second driver) delivers them without any JSON at all. The message
// is shared (std::shared_ptr), so the copy a handler keeps (the old object of an update, a
// lister's result) costs a reference count, not a deep copy; nothing writes to it after
// make_informer_object() returns, so handing it to other threads is safe.
#pragma once

#include <capnp/dynamic.h>
#include <capnp/message.h>

#include <cstdint>
#include <memory>
#include <string>

#include "runtime/assert.hpp"
#include "runtime/result.hpp"

namespace craton::api {

class InformerObject {
 public:
  /// The whole object, for walkers that do not know its type (index functions by path).
  capnp::DynamicStruct::Reader reader() const {
    return message_->getRoot<capnp::DynamicStruct>(schema_).asReader();
  }
  /// The object as its generated type. Precondition: T is the struct it was decoded as.
  template <class T>
  typename T::Reader as() const {
    CRATON_ASSERT(schema_ == capnp::Schema::from<T>(), "informer object read as another type");
    return message_->getRoot<T>().asReader();
  }

  capnp::StructSchema schema() const { return schema_; }
  /// "namespace/name", or "name" for cluster-scoped objects (client-go's MetaNamespaceKey).
  const std::string& key() const { return key_; }
  const std::string& name_space() const { return namespace_; }
  const std::string& name() const { return name_; }
  const std::string& uid() const { return uid_; }
  /// metadata.resourceVersion: the store's revision of the object's last change.
  std::uint64_t resource_version() const { return resource_version_; }

 private:
  friend Result<InformerObject> make_informer_object(
      std::shared_ptr<capnp::MallocMessageBuilder> message, capnp::StructSchema schema);
  std::shared_ptr<capnp::MallocMessageBuilder> message_;
  capnp::StructSchema schema_;
  std::string key_, namespace_, name_, uid_;
  std::uint64_t resource_version_ = 0;
};

/// Wraps a decoded object (root: a `schema` struct with a `metadata` ObjectMeta). Refuses,
/// with code "malformed", an object without metadata.name or whose metadata.resourceVersion
/// is not a decimal revision: the informer cannot key or order it. Takes the message over:
/// the caller must not modify it afterwards.
Result<InformerObject> make_informer_object(std::shared_ptr<capnp::MallocMessageBuilder> message,
                                            capnp::StructSchema schema);

/// A decimal resourceVersion ("" and anything else that is not one: nullopt-like Error).
Result<std::uint64_t> parse_resource_version(std::string_view text);

}  // namespace craton::api
