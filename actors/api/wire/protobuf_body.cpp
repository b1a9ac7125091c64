// Decoding Kubernetes' protobuf bodies (k8s\0 + runtime.Unknown) into Kubernetes JSON by
// walking the message with protobuf reflection over kube_wire.proto.
#include "actors/api/wire/protobuf_body.hpp"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/message.h>
#include <openssl/evp.h>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/api/meta/time.hpp"
#include "runtime/assert.hpp"
#include "wire/kube_wire.pb.h"

namespace craton::api::wire {
namespace {

using json = nlohmann::json;
using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr std::string_view kMagic{"k8s\0", 4};

// The kinds kubectl sends in protobuf that Craton serves, with the apiVersion each is served at.
struct WireKind {
  std::string_view api_version;
  std::string_view kind;
};
constexpr std::array<WireKind, 9> kWireKinds{{
    {"v1", "Namespace"},
    {"v1", "ConfigMap"},
    {"v1", "Secret"},
    {"v1", "Service"},
    {"v1", "ServiceAccount"},
    {"apps/v1", "Deployment"},
    {"batch/v1", "Job"},
    {"scheduling.k8s.io/v1", "PriorityClass"},
    {"policy/v1", "PodDisruptionBudget"},
}};

Error bad_request(const std::string& message) {
  return Error{"bad_request", "the protobuf request body is malformed: " + message};
}

// Reads one whole message of `bytes` within the depth bound; false when malformed or truncated.
bool parse_bounded(Message& message, std::string_view bytes, int depth_max) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                            int(bytes.size()));
  in.SetRecursionLimit(depth_max);
  return message.MergePartialFromCodedStream(&in) && in.ConsumedEntireMessage();
}

// Fields kube_wire.proto does not hold arrive as unknown fields: refused by number, since
// dropping them would store less than the client sent.
std::optional<Error> check_known(const Message& message) {
  const auto& unknown = message.GetReflection()->GetUnknownFields(message);
  if (unknown.field_count() == 0) return std::nullopt;
  return Error{"bad_request", "the protobuf request body has field " +
                                  std::to_string(unknown.field(0).number()) + " of " +
                                  message.GetDescriptor()->name() +
                                  ", which this server does not support: send it as JSON"};
}

std::string base64(const std::string& raw) {
  std::string out(4 * ((raw.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(raw.data()), int(raw.size()));
  out.resize(std::size_t(n));
  return out;
}

// Go's JSON writes this field's zero value (a pointer, or no omitempty; kube_wire.proto).
bool keeps_zero(const FieldDescriptor* field) {
  return field->options().GetExtension(craton::kube::keeps_zero);
}

Result<json> message_to_json(const Message& message);

// One value of `field` (element `index` when repeated, -1 when singular).
Result<json> value_to_json(const Message& message, const FieldDescriptor* field, int index) {
  const Reflection* r = message.GetReflection();
  bool repeated = index >= 0;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return message_to_json(repeated ? r->GetRepeatedMessage(message, field, index)
                                      : r->GetMessage(message, field));
    case FieldDescriptor::CPPTYPE_STRING: {
      auto s =
          repeated ? r->GetRepeatedString(message, field, index) : r->GetString(message, field);
      if (field->type() == FieldDescriptor::TYPE_BYTES) return json(base64(s));
      return json(std::move(s));
    }
    case FieldDescriptor::CPPTYPE_BOOL:
      return json(repeated ? r->GetRepeatedBool(message, field, index)
                           : r->GetBool(message, field));
    case FieldDescriptor::CPPTYPE_INT32:
      return json(repeated ? r->GetRepeatedInt32(message, field, index)
                           : r->GetInt32(message, field));
    case FieldDescriptor::CPPTYPE_INT64:
      return json(repeated ? r->GetRepeatedInt64(message, field, index)
                           : r->GetInt64(message, field));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return json(repeated ? r->GetRepeatedDouble(message, field, index)
                           : r->GetDouble(message, field));
    default:
      return bad_request("field " + field->name() + " has a type this server does not decode");
  }
}

// Go's omitempty: gogo's protobuf writes every non-pointer scalar, so zeros are common.
bool is_zero(const json& value) {
  return (value.is_string() && value.get_ref<const std::string&>().empty()) ||
         (value.is_boolean() && !value.get<bool>()) ||
         (value.is_number() && value.get<double>() == 0);
}

// A map field: repeated entries of {key = 1, value = 2}, as a JSON object.
Result<json> map_to_json(const Message& message, const FieldDescriptor* field) {
  json out = json::object();
  const Reflection* r = message.GetReflection();
  for (int i = 0; i < r->FieldSize(message, field); ++i) {
    const Message& entry = r->GetRepeatedMessage(message, field, i);
    const Descriptor* d = entry.GetDescriptor();
    auto value = value_to_json(entry, d->map_value(), -1);
    if (!value) return value.error();
    out[entry.GetReflection()->GetString(entry, d->map_key())] = std::move(*value);
  }
  return out;
}

Result<json> field_to_json(const Message& message, const FieldDescriptor* field) {
  if (field->is_map()) return map_to_json(message, field);
  if (!field->is_repeated()) return value_to_json(message, field, -1);
  json out = json::array();
  for (int i = 0; i < message.GetReflection()->FieldSize(message, field); ++i) {
    auto value = value_to_json(message, field, i);
    if (!value) return value.error();
    out.push_back(std::move(*value));
  }
  return out;
}

// The messages whose JSON form is not an object of their fields.
std::optional<json> special_to_json(const Message& message) {
  const std::string& name = message.GetDescriptor()->name();
  if (name == "Time") {
    const auto& time = static_cast<const craton::kube::Time&>(message);
    if (time.seconds() == 0 && time.nanos() == 0) return json(nullptr);
    return json(format_rfc3339(time.seconds()));
  }
  if (name == "Quantity") return json(static_cast<const craton::kube::Quantity&>(message).string());
  if (name == "IntOrString") {
    const auto& v = static_cast<const craton::kube::IntOrString&>(message);
    if (v.type() == 1) return json(v.strval());
    return json(v.intval());
  }
  return std::nullopt;
}

Result<json> message_to_json(const Message& message) {
  if (auto e = check_known(message)) return *e;
  if (auto special = special_to_json(message)) return *special;
  json out = json::object();
  std::vector<const FieldDescriptor*> fields;
  message.GetReflection()->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    auto value = field_to_json(message, field);
    if (!value) return value.error();
    if (value->is_array() && value->empty()) continue;
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE && !field->is_repeated() &&
        !keeps_zero(field) && is_zero(*value))
      continue;
    out[field->name()] = std::move(*value);
  }
  return out;
}

const WireKind* find_wire_kind(const std::string& api_version, const std::string& kind) {
  for (const auto& k : kWireKinds)
    if (k.api_version == api_version && k.kind == kind) return &k;
  return nullptr;
}

Result<craton::kube::Unknown> read_envelope(std::string_view body, const ProtobufLimits& limits) {
  if (body.size() > limits.body_bytes_max)
    return bad_request("larger than " + std::to_string(limits.body_bytes_max) + " bytes");
  if (body.substr(0, kMagic.size()) != kMagic)
    return bad_request("it does not start with Kubernetes' protobuf prefix \"k8s\\x00\"");
  craton::kube::Unknown envelope;
  if (!parse_bounded(envelope, body.substr(kMagic.size()), limits.depth_max))
    return bad_request("the runtime.Unknown envelope is truncated or invalid");
  if (auto e = check_known(envelope)) return *e;
  if (!envelope.has_raw()) return bad_request("the runtime.Unknown envelope holds no object");
  if (!envelope.contentencoding().empty())
    return Error{"unsupported_media_type", "the protobuf request body's content encoding \"" +
                                               envelope.contentencoding() + "\" is not supported"};
  return envelope;
}

}  // namespace

Result<json> protobuf_body_to_json(std::string_view body, const ProtobufLimits& limits) {
  auto envelope = read_envelope(body, limits);
  if (!envelope) return envelope.error();
  const auto& type = envelope->typemeta();
  if (!find_wire_kind(type.apiversion(), type.kind()))
    return Error{"unsupported_media_type", "protobuf request bodies of kind \"" + type.kind() +
                                               "\" (apiVersion \"" + type.apiversion() +
                                               "\") are not supported: send application/json"};
  const Descriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName("craton.kube." +
                                                                                type.kind());
  CRATON_ASSERT(descriptor != nullptr, "every kind of kWireKinds has a message in kube_wire.proto");
  std::unique_ptr<Message> object(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor)->New());
  if (!parse_bounded(*object, envelope->raw(), limits.depth_max))
    return bad_request("the " + type.kind() + " is truncated, invalid or nested deeper than " +
                       std::to_string(limits.depth_max) + " levels");
  auto fields = message_to_json(*object);
  if (!fields) return fields.error();
  json out = {{"apiVersion", type.apiversion()}, {"kind", type.kind()}};
  out.update(*fields);
  return out;
}

}  // namespace craton::api::wire
