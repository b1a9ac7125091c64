#include "actors/api/convert/kube_json.hpp"

#include <capnp/compat/json.h>
#include <kj/exception.h>
#include <kj/string.h>

#include <charconv>
#include <cstdio>
#include <limits>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "actors/api/convert/string_map.hpp"
#include "schemas/api_cluster.capnp.h"
#include "schemas/api_meta.capnp.h"

namespace craton::api {

namespace k8s = schema::k8s;

namespace {

// The codec's handlers decode (JsonWriter below encodes).
//
// StringMap and ResourceList <-> {"key": "value", ...}; keys sorted (a JSON object's repeated
// key: the last). Quantities are strings, but a JSON number (`cpu: 1` in YAML) is accepted
// and written as its shortest text.
template <class Map, bool quantities>
class EntriesHandler final : public capnp::JsonCodec::Handler<Map> {
 public:
  void encode(const capnp::JsonCodec&, typename Map::Reader,
              capnp::JsonValue::Builder) const override {
    KJ_FAIL_REQUIRE("KubeJson encodes with JsonWriter");
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
  void encode(const capnp::JsonCodec&, int64_t, capnp::JsonValue::Builder) const override {
    KJ_FAIL_REQUIRE("KubeJson encodes with JsonWriter");
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
  void encode(const capnp::JsonCodec&, typename Box::Reader,
              capnp::JsonValue::Builder) const override {
    KJ_FAIL_REQUIRE("KubeJson encodes with JsonWriter");
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
  void encode(const capnp::JsonCodec&, k8s::IntOrString::Reader,
              capnp::JsonValue::Builder) const override {
    KJ_FAIL_REQUIRE("KubeJson encodes with JsonWriter");
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

// Compact JSON text written straight from a message, with the rules the codec's encoder has
// (capnp/compat/json.c++): fields in schema order; a field only when has(NON_DEFAULT) says so;
// a union's active member unless it is the first member and unset; Int64 as a number (as
// Int64Handler decodes it), UInt64 as a string, enums by name; the codec's string escapes. The
// leaf structs are written as their handlers decode them.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void structure(capnp::DynamicStruct::Reader s, const ZeroFields* zeros, bool make_parents) {
    auto schema = s.getSchema();
    if (leaf(s)) return;
    out_ += '{';
    bool first = true;
    auto which = s.which();
    for (auto field : schema.getFields()) {
      auto proto = field.getProto();
      const ZeroFields* below = zeros != nullptr ? zeros->find(field.getIndex()) : nullptr;
      bool in_union = proto.getDiscriminantValue() != capnp::schema::Field::NO_DISCRIMINANT;
      if (in_union) {
        KJ_IF_MAYBE (active, which) {
          if (*active != field) continue;
        }
        bool set = s.has(field, capnp::HasMode::NON_DEFAULT);
        if (!set && proto.getDiscriminantValue() == 0) continue;
        name(field, first);
        if (set)
          value(s.get(field), field.getType(), below, false);
        else
          out_ += "null";
        continue;
      }
      auto type = field.getType();
      if (s.has(field, capnp::HasMode::NON_DEFAULT)) {
        name(field, first);
        // Parents are made only until the first list.
        value(s.get(field), type, below, make_parents && !type.isList());
      } else if (below != nullptr && below->zero) {
        name(field, first);
        zero(type);
      } else if (below != nullptr && make_parents && type.isStruct()) {
        name(field, first);  // absent: written with only its zero fields
        structure(s.get(field).as<capnp::DynamicStruct>(), below, true);
      }
    }
    out_ += '}';
  }

 private:
  void name(capnp::StructSchema::Field field, bool& first) {
    if (!first) out_ += ',';
    first = false;
    auto proto = field.getProto();
    if (proto.getAnnotations().size() == 0)
      text(proto.getName());
    else
      text(std::string_view(json_name(field)));
    out_ += ':';
  }

  void value(capnp::DynamicValue::Reader v, capnp::Type type, const ZeroFields* zeros,
             bool make_parents) {
    switch (type.which()) {
      case capnp::schema::Type::VOID:
        out_ += "null";
        return;
      case capnp::schema::Type::BOOL:
        out_ += v.as<bool>() ? "true" : "false";
        return;
      case capnp::schema::Type::INT8:
      case capnp::schema::Type::INT16:
      case capnp::schema::Type::INT32:
      case capnp::schema::Type::INT64:
        integer(v.as<std::int64_t>());
        return;
      case capnp::schema::Type::UINT8:
      case capnp::schema::Type::UINT16:
      case capnp::schema::Type::UINT32:
        integer(std::int64_t(v.as<std::uint32_t>()));
        return;
      case capnp::schema::Type::UINT64:
        out_ += '"';
        out_ += kj::str(v.as<std::uint64_t>()).cStr();
        out_ += '"';
        return;
      case capnp::schema::Type::FLOAT32:
      case capnp::schema::Type::FLOAT64: {
        double d = v.as<double>();
        if (d == kj::inf())
          text(std::string_view("Infinity"));
        else if (d == -kj::inf())
          text(std::string_view("-Infinity"));
        else if (kj::isNaN(d))
          text(std::string_view("NaN"));
        else
          out_ += kj::str(d).cStr();
        return;
      }
      case capnp::schema::Type::TEXT: {
        auto t = v.as<capnp::Text>();
        text(std::string_view(t.begin(), t.size()));
        return;
      }
      case capnp::schema::Type::DATA: {
        auto bytes = v.as<capnp::Data>();
        out_ += '[';
        for (std::size_t i = 0; i < bytes.size(); ++i) {
          if (i > 0) out_ += ',';
          integer(bytes[i]);
        }
        out_ += ']';
        return;
      }
      case capnp::schema::Type::LIST: {
        auto list = v.as<capnp::DynamicList>();
        auto element = type.asList().getElementType();
        out_ += '[';
        for (unsigned i = 0; i < list.size(); ++i) {
          if (i > 0) out_ += ',';
          value(list[i], element, zeros, false);
        }
        out_ += ']';
        return;
      }
      case capnp::schema::Type::ENUM: {
        auto e = v.as<capnp::DynamicEnum>();
        KJ_IF_MAYBE (symbol, e.getEnumerant()) {
          text(symbol->getProto().getName());
        } else {
          integer(e.getRaw());
        }
        return;
      }
      case capnp::schema::Type::STRUCT:
        structure(v.as<capnp::DynamicStruct>(), zeros, make_parents);
        return;
      case capnp::schema::Type::INTERFACE:
      case capnp::schema::Type::ANY_POINTER:
        break;
    }
    KJ_FAIL_REQUIRE("no JSON for this field's type", unsigned(type.which()));
  }

  // The leaf structs as their handlers decode them; false for any other struct.
  bool leaf(capnp::DynamicStruct::Reader s) {
    auto schema = s.getSchema();
    if (schema == capnp::Schema::from<k8s::StringMap>()) {
      entries(s.as<k8s::StringMap>().getEntries());
    } else if (schema == capnp::Schema::from<k8s::ResourceList>()) {
      entries(s.as<k8s::ResourceList>().getEntries());
    } else if (schema == capnp::Schema::from<k8s::IntOrString>()) {
      auto v = s.as<k8s::IntOrString>();
      if (v.isIntVal())
        integer(v.getIntVal());
      else
        text(std::string_view(v.getStrVal().begin(), v.getStrVal().size()));
    } else if (schema == capnp::Schema::from<k8s::Int32Box>()) {
      integer(s.as<k8s::Int32Box>().getValue());
    } else if (schema == capnp::Schema::from<k8s::Int64Box>()) {
      integer(s.as<k8s::Int64Box>().getValue());
    } else if (schema == capnp::Schema::from<k8s::BoolBox>()) {
      out_ += s.as<k8s::BoolBox>().getValue() ? "true" : "false";
    } else {
      return false;
    }
    return true;
  }

  template <class Entries>
  void entries(Entries list) {
    out_ += '{';
    for (unsigned i = 0; i < list.size(); ++i) {
      if (i > 0) out_ += ',';
      auto key = list[i].getKey();
      auto value = list[i].getValue();
      text(std::string_view(key.begin(), key.size()));
      out_ += ':';
      text(std::string_view(value.begin(), value.size()));
    }
    out_ += '}';
  }

  // Kubernetes writes a field without omitempty as its type's zero.
  void zero(capnp::Type type) {
    if (type.isBool())
      out_ += "false";
    else if (type.isText())
      out_ += "\"\"";
    else
      out_ += '0';
  }

  void integer(std::int64_t v) {
    char buffer[24];
    auto end = std::to_chars(buffer, buffer + sizeof buffer, v).ptr;
    out_.append(buffer, end);
  }

  // The codec's escapes: quote, backslash, the short control escapes, \u00XX for the other
  // control characters; every other byte (UTF-8 included) as it is.
  void text(std::string_view chars) {
    static constexpr char kHex[] = "0123456789abcdef";
    out_ += '"';
    std::size_t plain = 0;  // the start of the bytes not yet written
    for (std::size_t i = 0; i < chars.size(); ++i) {
      auto c = static_cast<unsigned char>(chars[i]);
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      out_.append(chars.data() + plain, i - plain);
      plain = i + 1;
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\b':
          out_ += "\\b";
          break;
        case '\f':
          out_ += "\\f";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\t':
          out_ += "\\t";
          break;
        default:
          out_ += "\\u00";
          out_ += kHex[c / 16];
          out_ += kHex[c % 16];
      }
    }
    out_.append(chars.data() + plain, chars.size() - plain);
    out_ += '"';
  }
  void text(kj::StringPtr chars) { text(std::string_view(chars.begin(), chars.size())); }

  std::string& out_;
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

// Each struct schema's fields by JSON name, built on first use and kept: the unknown-field
// check of every write looks up each key of the body, and a walk over the fields reading each
// one's annotations was 1.3% of a 2,000-node simulation. Schemas are compiled in and never go
// away, so the table only grows, to one entry per struct the API decodes.
std::optional<capnp::StructSchema::Field> find_json_field(capnp::StructSchema schema,
                                                          std::string_view name) {
  using Fields = std::unordered_map<std::string_view, capnp::StructSchema::Field>;
  struct Index {
    std::vector<std::string> names;  // the keys' text
    Fields fields;
  };
  static std::shared_mutex mutex;
  static std::unordered_map<std::uint64_t, std::unique_ptr<const Index>> indexes;
  const Index* index = nullptr;
  {
    std::shared_lock lock(mutex);
    if (auto it = indexes.find(schema.getProto().getId()); it != indexes.end())
      index = it->second.get();
  }
  if (index == nullptr) {
    auto built = std::make_unique<Index>();
    auto fields = schema.getFields();
    built->names.reserve(fields.size());  // no reallocation: the views stay on their text
    for (auto field : fields)
      built->fields.emplace(built->names.emplace_back(json_name(field)), field);
    std::unique_lock lock(mutex);
    index = indexes.try_emplace(schema.getProto().getId(), std::move(built)).first->second.get();
  }
  auto it = index->fields.find(name);
  if (it == index->fields.end()) return std::nullopt;
  return it->second;
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

std::string KubeJson::encode(capnp::DynamicStruct::Reader object, const ZeroFields* zeros) const {
  std::string out;
  JsonWriter(out).structure(object, zeros, true);
  return out;
}

}  // namespace craton::api
