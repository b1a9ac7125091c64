#include "actors/api/convert/kube_json.hpp"

#include <kj/exception.h>
#include <kj/string.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
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

// JSON values (nlohmann's) into a message, with the rules of Cap'n Proto's JSON codec
// (capnp/compat/json.c++ 0.9.2) that KubeJson used to decode with, and its type handlers':
// - an object's members by field name ($Json.name where there is one), unknown ones ignored; a
//   member naming a union field selects it (the last one wins);
// - int8..int32 and the unsigned types: a whole number in range, or a string holding one;
//   int64: a JSON number only, whole, within 2^53 (Kubernetes' generation, grace periods);
//   uint64 as a string or a number; floats: a number, a string ("NaN", "Infinity") or null
//   (NaN); bool, text, enums (by name) and lists strictly of their JSON type;
// - StringMap {"key": "value"}, ResourceList the same with quantities (a JSON number is written
//   as its shortest text: `cpu: 1` in YAML); IntOrString a 32-bit integer or a string; the boxes
//   their plain value, null leaving them empty;
// - nesting past kNestingMax levels is refused.
// A value of the wrong type throws BadJson naming what was expected and where. The message is
// the codec's content in another layout (a Deployment's stored bytes are 224 fewer of ~1.8 KB),
// so stored bytes, and with them the simulator's trace hashes, differ from the codec's.
struct BadJson {
  std::string what;
};

constexpr int kNestingMax = 64;

class JsonReader {
 public:
  void structure(const nlohmann::json& j, capnp::DynamicStruct::Builder out, int depth) {
    if (depth > kNestingMax) fail("nesting deeper than " + std::to_string(kNestingMax) + " levels");
    auto schema = out.getSchema();
    if (leaf(j, out)) return;
    if (!j.is_object()) fail("expected a JSON object");
    for (auto it = j.begin(); it != j.end(); ++it) {
      auto field = find_json_field(schema, it.key());
      if (!field) continue;
      path_.push_back(Step{it.key(), 0});
      put(it.value(), out, *field, field->getType(), depth);
      path_.pop_back();
    }
  }

 private:
  // Where the value being decoded is, for errors only: the members' names are views of the
  // JSON's own keys (alive while it is decoded), so the walk copies no text.
  struct Step {
    std::string_view member;  // empty: the element `index` of a list
    unsigned index;
  };

  [[noreturn]] void fail(const std::string& what) const {
    std::string at;
    for (const auto& step : path_) {
      if (step.member.empty()) {
        at += "[" + std::to_string(step.index) + "]";
      } else {
        if (!at.empty()) at += '.';
        at += step.member;
      }
    }
    throw BadJson{at.empty() ? what : at + ": " + what};
  }

  // One value into a struct's field or a list's element: both builders take init() and set()
  // by their slot, but a list's struct elements exist already (they are taken, not made).
  template <class Builder, class Slot>
  void put(const nlohmann::json& v, Builder out, Slot slot, capnp::Type type, int depth) {
    switch (type.which()) {
      case capnp::schema::Type::VOID:
        return;
      case capnp::schema::Type::STRUCT:
        if constexpr (std::is_same_v<Builder, capnp::DynamicList::Builder>)
          structure(v, out[slot].template as<capnp::DynamicStruct>(), depth + 1);
        else
          structure(v, out.init(slot).template as<capnp::DynamicStruct>(), depth + 1);
        return;
      case capnp::schema::Type::LIST: {
        if (depth + 1 > kNestingMax)
          fail("nesting deeper than " + std::to_string(kNestingMax) + " levels");
        if (!v.is_array()) fail("expected a JSON array");
        auto list = out.init(slot, unsigned(v.size())).template as<capnp::DynamicList>();
        auto element = type.asList().getElementType();
        for (unsigned i = 0; i < v.size(); ++i) {
          path_.push_back(Step{{}, i});
          put(v[i], list, i, element, depth + 1);
          path_.pop_back();
        }
        return;
      }
      case capnp::schema::Type::DATA:
        out.set(slot, data(v));
        return;
      default:
        out.set(slot, scalar(v, type));
    }
  }

  capnp::DynamicValue::Reader scalar(const nlohmann::json& v, capnp::Type type) {
    switch (type.which()) {
      case capnp::schema::Type::BOOL:
        if (!v.is_boolean()) fail("expected true or false");
        return v.get<bool>();
      case capnp::schema::Type::INT8:
        return whole_or_string(v, std::numeric_limits<std::int8_t>::min(),
                               std::numeric_limits<std::int8_t>::max());
      case capnp::schema::Type::INT16:
        return whole_or_string(v, std::numeric_limits<std::int16_t>::min(),
                               std::numeric_limits<std::int16_t>::max());
      case capnp::schema::Type::INT32:
        return whole_or_string(v, std::numeric_limits<std::int32_t>::min(),
                               std::numeric_limits<std::int32_t>::max());
      case capnp::schema::Type::INT64:
        if (!v.is_number()) fail("expected a number");
        return whole(v, -kExact, kExact, "a whole number within 2^53");
      case capnp::schema::Type::UINT8:
        return whole_or_string(v, 0, std::numeric_limits<std::uint8_t>::max());
      case capnp::schema::Type::UINT16:
        return whole_or_string(v, 0, std::numeric_limits<std::uint16_t>::max());
      case capnp::schema::Type::UINT32:
        return whole_or_string(v, 0, std::numeric_limits<std::uint32_t>::max());
      case capnp::schema::Type::UINT64: {
        if (v.is_number_unsigned()) return v.get<std::uint64_t>();
        if (v.is_string()) {
          const auto& text = v.get_ref<const std::string&>();
          std::uint64_t u = 0;
          auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), u);
          if (ec != std::errc{} || end != text.data() + text.size())
            fail("expected an unsigned integer, got \"" + text + "\"");
          return u;
        }
        return whole(v, 0, kExact, "an unsigned whole number");
      }
      case capnp::schema::Type::FLOAT32:
      case capnp::schema::Type::FLOAT64:
        if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
        if (v.is_number()) return v.get<double>();
        if (v.is_string()) return parse_double(v.get_ref<const std::string&>());
        fail("expected a number");
      case capnp::schema::Type::TEXT: {
        if (!v.is_string()) fail("expected a string");
        const auto& text = v.get_ref<const std::string&>();
        return capnp::Text::Reader(text.c_str(), text.size());
      }
      case capnp::schema::Type::ENUM: {
        auto schema = type.asEnum();
        auto name = [&] { return std::string(schema.getShortDisplayName().cStr()); };
        if (!v.is_string()) fail("expected the name of a " + name());
        KJ_IF_MAYBE (e, schema.findEnumerantByName(v.get_ref<const std::string&>())) {
          return capnp::DynamicEnum(*e);
        }
        fail("\"" + v.get<std::string>() + "\" is not a " + name());
      }
      default:
        fail("a field of a type JSON cannot give");
    }
  }

  // A whole number in [lo, hi] from a JSON number (an integer, or a float without a fraction).
  capnp::DynamicValue::Reader whole(const nlohmann::json& v, double lo, double hi,
                                    const char* expected) const {
    if (v.is_number_unsigned()) {
      auto u = v.get<std::uint64_t>();
      if (double(u) <= hi) return u;
    } else if (v.is_number_integer()) {
      auto i = v.get<std::int64_t>();
      if (double(i) >= lo && double(i) <= hi) return i;
    } else if (v.is_number_float()) {
      double d = v.get<double>();
      if (d >= lo && d <= hi && d == double(std::int64_t(d))) return std::int64_t(d);
    }
    fail(std::string("expected ") + expected + ", got " + v.dump());
  }

  capnp::DynamicValue::Reader whole_or_string(const nlohmann::json& v, double lo, double hi) {
    if (v.is_string()) {
      const auto& text = v.get_ref<const std::string&>();
      std::int64_t i = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
      if (ec != std::errc{} || end != text.data() + text.size() || double(i) < lo || double(i) > hi)
        fail("expected an integer in range, got \"" + text + "\"");
      return i;
    }
    if (!v.is_number()) fail("expected a number");
    return whole(v, lo, hi, "a whole number in range");
  }

  double parse_double(const std::string& text) const {
    char* end = nullptr;
    double d = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size())
      fail("expected a number, got \"" + text + "\"");
    return d;
  }

  // Data is a JSON array of bytes; the reader points into bytes_, kept until the decode ends.
  capnp::Data::Reader data(const nlohmann::json& v) {
    if (!v.is_array()) fail("expected an array of bytes");
    auto& bytes = bytes_.emplace_back();
    for (const auto& b : v) {
      if (!b.is_number_integer() || b.get<std::int64_t>() < 0 || b.get<std::int64_t>() > 255)
        fail("expected an array of integers in [0, 255]");
      bytes.push_back(std::uint8_t(b.get<std::int64_t>()));
    }
    return capnp::Data::Reader(bytes.data(), bytes.size());
  }

  std::int32_t int32(const nlohmann::json& v, const char* expected) const {
    return std::int32_t(whole(v, std::numeric_limits<std::int32_t>::min(),
                              std::numeric_limits<std::int32_t>::max(), expected)
                            .as<std::int64_t>());
  }

  // The structs written as a JSON scalar or map (is_json_leaf): true when `out` is one of them,
  // decoded from `j`.
  bool leaf(const nlohmann::json& j, capnp::DynamicStruct::Builder out) {
    auto schema = out.getSchema();
    if (schema == capnp::Schema::from<k8s::StringMap>()) {
      entries(j, out.as<k8s::StringMap>(), false);
    } else if (schema == capnp::Schema::from<k8s::ResourceList>()) {
      entries(j, out.as<k8s::ResourceList>(), true);
    } else if (schema == capnp::Schema::from<k8s::IntOrString>()) {
      if (j.is_string())
        out.as<k8s::IntOrString>().setStrVal(j.get_ref<const std::string&>());
      else if (j.is_number())
        out.as<k8s::IntOrString>().setIntVal(int32(j, "a 32-bit integer"));
      else
        fail("expected an integer or a string");
    } else if (schema == capnp::Schema::from<k8s::Int32Box>()) {
      if (j.is_null()) return true;
      if (!j.is_number()) fail("expected a number");
      out.as<k8s::Int32Box>().setValue(int32(j, "a 32-bit whole number"));
    } else if (schema == capnp::Schema::from<k8s::Int64Box>()) {
      if (j.is_null()) return true;
      if (!j.is_number()) fail("expected a number");
      out.as<k8s::Int64Box>().setValue(
          whole(j, -kExact, kExact, "a whole number within 2^53").as<std::int64_t>());
    } else if (schema == capnp::Schema::from<k8s::BoolBox>()) {
      if (j.is_null()) return true;
      if (!j.is_boolean()) fail("expected true or false");
      out.as<k8s::BoolBox>().setValue(j.get<bool>());
    } else {
      return false;
    }
    return true;
  }

  template <class Map>
  void entries(const nlohmann::json& j, Map map, bool quantities) {
    if (j.is_null()) return;
    if (!j.is_object())
      fail(quantities ? "expected a JSON object of quantities"
                      : "expected a JSON object of strings");
    std::map<std::string, std::string> sorted;
    for (auto it = j.begin(); it != j.end(); ++it) {
      const auto& value = it.value();
      if (quantities && value.is_number()) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.15g", value.get<double>());
        sorted[it.key()] = buffer;
        continue;
      }
      if (!value.is_string()) fail("expected a string value for \"" + it.key() + "\"");
      sorted[it.key()] = value.get<std::string>();
    }
    set_map(map, sorted);
  }

  static constexpr double kExact = 9007199254740992.0;  // 2^53
  std::vector<Step> path_;
  std::vector<std::vector<std::uint8_t>> bytes_;  // what Data readers point at
};

// Compact JSON text written straight from a message, with the rules the codec's encoder has
// (capnp/compat/json.c++): fields in schema order; a field only when has(NON_DEFAULT) says so;
// a union's active member unless it is the first member and unset; Int64 as a number (as
// JsonReader decodes it), UInt64 as a string, enums by name; the codec's string escapes. The
// leaf structs are written as JsonReader decodes them.
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

Result<std::unique_ptr<capnp::MallocMessageBuilder>> KubeJson::decode(
    std::string_view json, capnp::StructSchema schema) const {
  // Nesting is bounded here, where unknown members are parsed too (decode_parsed walks only
  // the fields it knows; the API's handlers bound their bodies in parse_json_body).
  int deepest = 0;
  auto parsed = nlohmann::json::parse(
      json,
      [&deepest](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
        deepest = std::max(deepest, depth);
        return true;
      },
      false);
  if (parsed.is_discarded())
    return Error{"bad_request", "cannot decode the object: the body is not valid JSON"};
  if (deepest > kNestingMax)
    return Error{"bad_request", "cannot decode the object: it nests deeper than " +
                                    std::to_string(kNestingMax) + " levels"};
  return decode_parsed(parsed, schema);
}

Result<std::unique_ptr<capnp::MallocMessageBuilder>> KubeJson::decode_parsed(
    const nlohmann::json& json, capnp::StructSchema schema) const {
  auto message = std::make_unique<capnp::MallocMessageBuilder>();
  auto root = message->initRoot<capnp::DynamicStruct>(schema);
  try {
    JsonReader().structure(json, root, 0);
  } catch (const BadJson& e) {
    return Error{"bad_request", "cannot decode the object: " + e.what};
  } catch (const kj::Exception& e) {  // a value capnp itself refused
    return Error{"bad_request",
                 "cannot decode the object: " + std::string(e.getDescription().cStr())};
  }
  return message;
}

std::string KubeJson::encode(capnp::DynamicStruct::Reader object, const ZeroFields* zeros) const {
  std::string out;
  JsonWriter(out).structure(object, zeros, true);
  return out;
}

}  // namespace craton::api
