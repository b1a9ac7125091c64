#include "actors/api/convert/kube_json.hpp"

#include <capnp/compat/json.h>
#include <kj/exception.h>

#include <cstdio>
#include <limits>
#include <map>
#include <type_traits>

#include "actors/api/convert/string_map.hpp"
#include "schemas/api_cluster.capnp.h"
#include "schemas/api_meta.capnp.h"

namespace craton::api {

namespace k8s = schema::k8s;

namespace {

// StringMap and ResourceList <-> {"key": "value", ...}; keys sorted (a JSON object's repeated
// key: the last). Quantities are strings, but a JSON number (`cpu: 1` in YAML) is accepted
// and written as its shortest text.
template <class Map, bool quantities>
class EntriesHandler final : public capnp::JsonCodec::Handler<Map> {
 public:
  void encode(const capnp::JsonCodec&, typename Map::Reader input,
              capnp::JsonValue::Builder output) const override {
    auto entries = input.getEntries();
    auto fields = output.initObject(entries.size());
    for (unsigned i = 0; i < entries.size(); ++i) {
      fields[i].setName(entries[i].getKey());
      fields[i].initValue().setString(entries[i].getValue());
    }
  }

  void decode(const capnp::JsonCodec&, capnp::JsonValue::Reader input,
              typename Map::Builder output) const override {
    if (input.isNull()) return;
    KJ_REQUIRE(input.isObject(), quantities ? "expected a JSON object of quantities"
                                            : "expected a JSON object of strings");
    std::map<std::string, std::string> sorted;
    for (auto field : input.getObject()) {
      auto value = field.getValue();
      if (quantities && value.isNumber()) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.15g", value.getNumber());
        sorted[field.getName().cStr()] = buffer;
        continue;
      }
      KJ_REQUIRE(value.isString(), "expected a string value", field.getName());
      sorted[field.getName().cStr()] = value.getString().cStr();
    }
    set_map(output, sorted);
  }
};

// int64 as a JSON number (Kubernetes writes generation, grace periods, ... as numbers). Exact
// up to 2^53, which every Kubernetes int64 field stays far below.
class Int64Handler final : public capnp::JsonCodec::Handler<int64_t> {
 public:
  void encode(const capnp::JsonCodec&, int64_t input,
              capnp::JsonValue::Builder output) const override {
    output.setNumber(double(input));
  }
  int64_t decode(const capnp::JsonCodec&, capnp::JsonValue::Reader input) const override {
    KJ_REQUIRE(input.isNumber(), "expected a number");
    double v = input.getNumber();
    KJ_REQUIRE(v >= -9007199254740992.0 && v <= 9007199254740992.0 && v == double(int64_t(v)),
               "expected a whole number within 2^53", v);
    return int64_t(v);
  }
};

// A box is its plain value; JSON null leaves the box empty-valued (merge patches remove keys
// before decoding, so null reaches here only from a literal `null`).
template <class Box, class Value>
class BoxHandler final : public capnp::JsonCodec::Handler<Box> {
 public:
  void encode(const capnp::JsonCodec&, typename Box::Reader input,
              capnp::JsonValue::Builder output) const override {
    if constexpr (std::is_same_v<Value, bool>)
      output.setBoolean(input.getValue());
    else
      output.setNumber(double(input.getValue()));
  }
  void decode(const capnp::JsonCodec&, capnp::JsonValue::Reader input,
              typename Box::Builder output) const override {
    if (input.isNull()) return;
    if constexpr (std::is_same_v<Value, bool>) {
      KJ_REQUIRE(input.isBoolean(), "expected true or false");
      output.setValue(input.getBoolean());
    } else {
      KJ_REQUIRE(input.isNumber(), "expected a number");
      double v = input.getNumber();
      // int64 boxes are exact up to 2^53, as Int64Handler.
      constexpr bool wide = std::is_same_v<Value, std::int64_t>;
      constexpr double lo = wide ? -9007199254740992.0 : double(std::numeric_limits<Value>::min());
      constexpr double hi = wide ? 9007199254740992.0 : double(std::numeric_limits<Value>::max());
      KJ_REQUIRE(v >= lo && v <= hi && v == double(std::int64_t(v)),
                 "expected a whole number in range", v);
      output.setValue(Value(v));
    }
  }
};

class IntOrStringHandler final : public capnp::JsonCodec::Handler<k8s::IntOrString> {
 public:
  void encode(const capnp::JsonCodec&, k8s::IntOrString::Reader input,
              capnp::JsonValue::Builder output) const override {
    if (input.isIntVal())
      output.setNumber(double(input.getIntVal()));
    else
      output.setString(input.getStrVal());
  }
  void decode(const capnp::JsonCodec&, capnp::JsonValue::Reader input,
              k8s::IntOrString::Builder output) const override {
    if (input.isString()) {
      output.setStrVal(input.getString());
      return;
    }
    KJ_REQUIRE(input.isNumber(), "expected an integer or a string");
    double v = input.getNumber();
    KJ_REQUIRE(v >= -2147483648.0 && v <= 2147483647.0 && v == double(std::int32_t(v)),
               "expected a 32-bit integer", v);
    output.setIntVal(std::int32_t(v));
  }
};

}  // namespace

bool is_json_leaf(capnp::StructSchema schema) {
  return schema == capnp::Schema::from<k8s::StringMap>() ||
         schema == capnp::Schema::from<k8s::ResourceList>() ||
         schema == capnp::Schema::from<k8s::IntOrString>() ||
         schema == capnp::Schema::from<k8s::Int32Box>() ||
         schema == capnp::Schema::from<k8s::Int64Box>() ||
         schema == capnp::Schema::from<k8s::BoolBox>();
}

std::string json_name(capnp::StructSchema::Field field) {
  constexpr std::uint64_t kJsonName = 0xfa5b1fd61c2e7c3dull;  // json.capnp's `name`
  for (auto annotation : field.getProto().getAnnotations())
    if (annotation.getId() == kJsonName) return annotation.getValue().getText().cStr();
  return field.getProto().getName().cStr();
}

std::optional<capnp::StructSchema::Field> find_json_field(capnp::StructSchema schema,
                                                          std::string_view name) {
  for (auto field : schema.getFields())
    if (json_name(field) == name) return field;
  return std::nullopt;
}

struct KubeJson::Impl {
  capnp::JsonCodec codec;
  EntriesHandler<k8s::StringMap, false> string_map;
  Int64Handler int64;
  BoxHandler<k8s::Int32Box, std::int32_t> int32_box;
  BoxHandler<k8s::Int64Box, std::int64_t> int64_box;
  BoxHandler<k8s::BoolBox, bool> bool_box;
  IntOrStringHandler int_or_string;
  EntriesHandler<k8s::ResourceList, true> resource_list;
};

KubeJson::KubeJson() : impl_(std::make_unique<Impl>()) {
  impl_->codec.setHasMode(capnp::HasMode::NON_DEFAULT);
  impl_->codec.setMaxNestingDepth(64);
  impl_->codec.addTypeHandler(impl_->string_map);
  impl_->codec.addTypeHandler(impl_->int64);
  impl_->codec.addTypeHandler(impl_->int32_box);
  impl_->codec.addTypeHandler(impl_->int64_box);
  impl_->codec.addTypeHandler(impl_->bool_box);
  impl_->codec.addTypeHandler(impl_->int_or_string);
  impl_->codec.addTypeHandler(impl_->resource_list);
  // The one field whose JSON name a Cap'n Proto name cannot be (DaemonEndpoint's "Port").
  impl_->codec.handleByAnnotation<schema::k8s::Node::DaemonEndpoint>();
}

KubeJson::~KubeJson() = default;

Result<std::unique_ptr<capnp::MallocMessageBuilder>> KubeJson::decode(
    std::string_view json, capnp::StructSchema schema) const {
  auto message = std::make_unique<capnp::MallocMessageBuilder>();
  auto root = message->initRoot<capnp::DynamicStruct>(schema);
  kj::Maybe<kj::Exception> failure = kj::runCatchingExceptions(
      [&] { impl_->codec.decode(kj::ArrayPtr<const char>(json.data(), json.size()), root); });
  KJ_IF_MAYBE (e, failure)
    return Error{"bad_request",
                 "cannot decode the object: " + std::string(e->getDescription().cStr())};
  return message;
}

std::string KubeJson::encode(capnp::DynamicStruct::Reader object) const {
  return impl_->codec.encode(object).cStr();
}

}  // namespace craton::api
