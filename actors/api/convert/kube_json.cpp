#include "actors/api/convert/kube_json.hpp"

#include <capnp/compat/json.h>
#include <kj/exception.h>

#include <map>

#include "actors/api/convert/string_map.hpp"
#include "schemas/api_meta.capnp.h"

namespace craton::api {

namespace k8s = schema::k8s;

namespace {

// StringMap <-> {"key": "value", ...}; keys sorted (a JSON object's repeated key: the last).
class StringMapHandler final : public capnp::JsonCodec::Handler<k8s::StringMap> {
 public:
  void encode(const capnp::JsonCodec&, k8s::StringMap::Reader input,
              capnp::JsonValue::Builder output) const override {
    auto entries = input.getEntries();
    auto fields = output.initObject(entries.size());
    for (unsigned i = 0; i < entries.size(); ++i) {
      fields[i].setName(entries[i].getKey());
      fields[i].initValue().setString(entries[i].getValue());
    }
  }

  void decode(const capnp::JsonCodec&, capnp::JsonValue::Reader input,
              k8s::StringMap::Builder output) const override {
    if (input.isNull()) return;
    KJ_REQUIRE(input.isObject(), "expected a JSON object of strings");
    std::map<std::string, std::string> sorted;
    for (auto field : input.getObject()) {
      auto value = field.getValue();
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

}  // namespace

struct KubeJson::Impl {
  capnp::JsonCodec codec;
  StringMapHandler string_map;
  Int64Handler int64;
};

KubeJson::KubeJson() : impl_(std::make_unique<Impl>()) {
  impl_->codec.setHasMode(capnp::HasMode::NON_DEFAULT);
  impl_->codec.setMaxNestingDepth(64);
  impl_->codec.addTypeHandler(impl_->string_map);
  impl_->codec.addTypeHandler(impl_->int64);
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
