// KubeJson: the one converter between Kubernetes JSON (the HTTP edge) and the Cap'n Proto
// objects of schemas/api_meta.capnp (everything behind it). Decoding walks JSON values
// (nlohmann's: the API's handlers hold the body as one already, so nothing is written out and
// parsed again) into a message, mapping fields by name with the rules of Cap'n Proto's own JSON
// codec; encoding writes the text straight from the message with the codec's rules (fields in
// schema order, HasMode::NON_DEFAULT, its string escapes). A pod's JSON is what a LIST, a GET
// and every write of the API encodes. KubeJson adds what Kubernetes' JSON needs on top:
// - StringMap is a JSON object of strings (labels, annotations, ConfigMap data), ResourceList
//   one of quantity strings (numbers accepted on input);
// - Int32Box/Int64Box/BoolBox are their plain value, IntOrString a number or a string;
// - int64 fields are JSON numbers, not the codec's quoted strings;
// - empty and zero fields are omitted (Kubernetes' omitempty) but for the kind's ZeroFields
//   (Go fields without omitempty), unknown fields are ignored (as kube-apiserver does unless
//   asked for strict decoding).
// Malformed JSON, a value of the wrong type or nesting past 64 levels is an error naming
// what was wrong (and where); nothing is half-decoded into the caller's message (decode()
// builds into a message of its own).
#pragma once

#include <capnp/dynamic.h>
#include <capnp/message.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "actors/api/convert/zero_fields.hpp"
#include "runtime/result.hpp"

namespace craton::api {

/// True for the structs the converter writes as a JSON scalar or map rather than an object of
/// their fields (StringMap, ResourceList, IntOrString, the boxes): walkers of a schema's JSON
/// shape (unknown-field checks, OpenAPI) stop there.
bool is_json_leaf(capnp::StructSchema schema);

/// A field's name in Kubernetes JSON: its $Json.name where a Cap'n Proto name cannot be it
/// (DaemonEndpoint's "Port"), else its own. Every walker of the JSON shape names fields so.
std::string json_name(capnp::StructSchema::Field field);
/// The field whose JSON name is `name`.
std::optional<capnp::StructSchema::Field> find_json_field(capnp::StructSchema schema,
                                                          std::string_view name);

class KubeJson {
 public:
  /// JSON text into a new message whose root is a `schema` struct.
  Result<std::unique_ptr<capnp::MallocMessageBuilder>> decode(std::string_view json,
                                                              capnp::StructSchema schema) const;
  /// The same from JSON values already parsed (what the API's handlers hold).
  Result<std::unique_ptr<capnp::MallocMessageBuilder>> decode_parsed(
      const nlohmann::json& json, capnp::StructSchema schema) const;
  template <class T>
  Result<std::unique_ptr<capnp::MallocMessageBuilder>> decode(std::string_view json) const {
    return decode(json, capnp::Schema::from<T>());
  }
  template <class T>
  Result<std::unique_ptr<capnp::MallocMessageBuilder>> decode_parsed(
      const nlohmann::json& json) const {
    return decode_parsed(json, capnp::Schema::from<T>());
  }

  /// An object as compact JSON; `zeros` (compiled for the object's schema) are written as
  /// their zero where the object leaves them out.
  std::string encode(capnp::DynamicStruct::Reader object, const ZeroFields* zeros = nullptr) const;
};

}  // namespace craton::api
