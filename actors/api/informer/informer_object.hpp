// InformerObject: one Kubernetes object as an informer holds it: the typed Cap'n Proto struct
// (schemas/api_*.capnp) it was decoded into, shared and never modified, with the metadata the
// informer keys and orders by (namespace/name, resourceVersion, uid) read out once.
//
// Why typed and not JSON: objects cross actor boundaries as these structs, controllers read
// fields through generated accessors (`object.as<k8s::Pod>().getSpec().getNodeName()`), and
// the envelope transport (a second driver) delivers them without any JSON at all. The message
// is shared (std::shared_ptr), so the copy a handler keeps (the old object of an update, a
// lister's result) costs one reference count, not a deep copy (the metadata read out lives in
// the same shared entry: a controller that scans 10,000 pods per sync copies 10,000 pointers,
// not 40,000 strings); nothing writes to it after make_informer_object() returns, so handing
// it to other threads is safe.
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
    return entry_->message->getRoot<capnp::DynamicStruct>(entry_->schema).asReader();
  }
  /// The object as its generated type. Precondition: T is the struct it was decoded as.
  template <class T>
  typename T::Reader as() const {
    CRATON_ASSERT(entry_->schema == capnp::Schema::from<T>(),
                  "informer object read as another type");
    return entry_->message->getRoot<T>().asReader();
  }

  capnp::StructSchema schema() const { return entry_->schema; }
  /// "namespace/name", or "name" for cluster-scoped objects (client-go's MetaNamespaceKey).
  const std::string& key() const { return entry_->key; }
  const std::string& name_space() const { return entry_->name_space; }
  const std::string& name() const { return entry_->name; }
  const std::string& uid() const { return entry_->uid; }
  /// metadata.resourceVersion: the store's revision of the object's last change.
  std::uint64_t resource_version() const { return entry_->resource_version; }

 private:
  friend Result<InformerObject> make_informer_object(
      std::shared_ptr<capnp::MallocMessageBuilder> message, capnp::StructSchema schema);
  struct Entry {
    std::shared_ptr<capnp::MallocMessageBuilder> message;
    capnp::StructSchema schema;
    std::string key, name_space, name, uid;
    std::uint64_t resource_version = 0;
  };
  explicit InformerObject(std::shared_ptr<const Entry> entry) : entry_(std::move(entry)) {}
  std::shared_ptr<const Entry> entry_;  // never null
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
