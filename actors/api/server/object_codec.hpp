// An object of a Kind between its three forms: stored bytes (a flat Cap'n Proto message,
// metadata.resourceVersion left empty: the store's mod revision is the version), the typed
// message the server works on, and Kubernetes JSON at the HTTP edge (resourceVersion filled).
#pragma once

#include <capnp/message.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "actors/api/convert/kube_json.hpp"
#include "actors/api/kinds/kinds.hpp"
#include "runtime/result.hpp"
#include "schemas/api_meta.capnp.h"

namespace craton::api {

struct Object {
  std::unique_ptr<capnp::MallocMessageBuilder> message;
  const Kind* kind = nullptr;

  ObjectBuilder root() const;
  schema::k8s::ObjectMeta::Builder meta() const;
};

/// Stored bytes into an object ("corrupt" if they are not one of `kind`).
Result<Object> object_from_bytes(const Kind& kind, const std::string& bytes);
/// The bytes to store (resourceVersion cleared, apiVersion and kind set).
std::string object_to_bytes(const Object& object);
/// A copy of `object` (for comparisons before and after a change).
Object copy_object(const Object& object);

/// Whether `a` and `b` (of one kind) are equal in every field but metadata, status,
/// apiVersion and kind, compared as Cap'n Proto values: true means their JSON is equal there
/// too; false may still be JSON-equal (an empty list against an absent one), so a caller that
/// must know compares the JSON then. Cheaper than encoding either.
bool same_typed_spec(ObjectReader a, ObjectReader b);

/// Kubernetes JSON: apiVersion, kind and metadata.resourceVersion set.
nlohmann::json object_to_json(const KubeJson& codec, const Object& object,
                              std::int64_t resource_version);
/// The JSON a patch of the status subresource is applied to: apiVersion, kind,
/// metadata.resourceVersion and status only (such a patch changes nothing else, so the rest is
/// never encoded; status' zero fields written as object_to_json writes them).
nlohmann::json status_to_json(const KubeJson& codec, const Object& object,
                              std::int64_t resource_version);
/// A copy of `object` whose status is `status` decoded ("bad_request" on a shape error), for a
/// write of the status subresource; metadata and spec are copied as they are, never through
/// JSON. A null `status` clears it.
Result<Object> with_status_from_json(const KubeJson& codec, const Object& object,
                                     nlohmann::json status);
/// The same as compact JSON text, without parsing it back (what lists concatenate).
std::string object_to_json_text(const KubeJson& codec, const Object& object,
                                std::int64_t resource_version);
/// The fields of `j` that `kind`'s schema does not have, as paths ("spec.foo"), for
/// fieldValidation=Strict (the converter itself ignores them, as kube-apiserver does by default).
std::vector<std::string> unknown_fields(const Kind& kind, const nlohmann::json& j);
/// Removes every null member (Kubernetes JSON writes absent fields as null, as in
/// `"creationTimestamp": null`; Go decodes them as unset).
void drop_nulls(nlohmann::json& j);
/// JSON (already parsed) into an object of `kind` ("bad_request" on a shape error); nulls are
/// absent fields. Taken by value: a caller done with its JSON moves it in and spares a copy.
Result<Object> object_from_json(const KubeJson& codec, const Kind& kind, nlohmann::json j);

}  // namespace craton::api
