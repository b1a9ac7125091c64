#include "actors/api/kinds/checks.hpp"

#include <arpa/inet.h>

#include <cctype>

#include "actors/api/convert/string_map.hpp"
#include "actors/api/meta/names.hpp"
#include "actors/api/meta/quantity.hpp"

namespace craton::api {

namespace k8s = schema::k8s;

void cause(Causes& causes, const std::string& reason, const std::string& field,
           const std::string& message) {
  causes.push_back({reason, field, message});
}

void invalid(Causes& causes, const std::string& field, const std::string& value,
             const std::string& why) {
  cause(causes, "FieldValueInvalid", field, "Invalid value: \"" + value + "\": " + why);
}

void invalid(Causes& causes, const std::string& field, std::int64_t value, const std::string& why) {
  cause(causes, "FieldValueInvalid", field, "Invalid value: " + std::to_string(value) + ": " + why);
}

void invalid_go(Causes& causes, const std::string& field, const std::string& go_value,
                const std::string& why) {
  cause(causes, "FieldValueInvalid", field, "Invalid value: " + go_value + ": " + why);
}

void forbidden(Causes& causes, const std::string& field, const std::string& why) {
  cause(causes, "FieldValueForbidden", field, "Forbidden: " + why);
}

void required(Causes& causes, const std::string& field, const std::string& why) {
  cause(causes, "FieldValueRequired", field,
        why.empty() ? "Required value" : "Required value: " + why);
}

void not_supported(Causes& causes, const std::string& field, const std::string& value,
                   const std::vector<std::string>& supported) {
  std::string list;
  for (const auto& s : supported) list += (list.empty() ? "" : ", ") + ("\"" + s + "\"");
  cause(causes, "FieldValueNotSupported", field,
        "Unsupported value: \"" + value + "\": supported values: " + list);
}

void duplicate(Causes& causes, const std::string& field, const std::string& value) {
  cause(causes, "FieldValueDuplicate", field, "Duplicate value: \"" + value + "\"");
}

void not_found(Causes& causes, const std::string& field, const std::string& value) {
  cause(causes, "FieldValueNotFound", field, "Not found: \"" + value + "\"");
}

void check_enum(Causes& causes, const std::string& field, const std::string& value,
                const std::vector<std::string>& supported, bool required_value) {
  if (value.empty() && !required_value) return;
  if (value.empty()) {
    required(causes, field);
    return;
  }
  for (const auto& s : supported)
    if (s == value) return;
  not_supported(causes, field, value, supported);
}

void check_dns_label(Causes& causes, const std::string& field, const std::string& value) {
  if (value.empty()) {
    required(causes, field);
    return;
  }
  for (const auto& m : check_dns1123_label(value)) invalid(causes, field, value, m);
}

void check_dns_subdomain(Causes& causes, const std::string& field, const std::string& value) {
  if (value.empty()) {
    required(causes, field);
    return;
  }
  for (const auto& m : check_dns1123_subdomain(value)) invalid(causes, field, value, m);
}

void check_non_negative(Causes& causes, const std::string& field, std::int64_t value) {
  if (value < 0) invalid(causes, field, value, "must be greater than or equal to 0");
}

void check_label_map(Causes& causes, const std::string& field,
                     const std::map<std::string, std::string>& labels) {
  for (const auto& [key, value] : labels) {
    for (const auto& m : check_qualified_name(key)) invalid(causes, field, key, m);
    for (const auto& m : check_label_value(value)) invalid(causes, field, value, m);
  }
}

void check_quantity(Causes& causes, const std::string& field, const std::string& value,
                    bool non_negative) {
  auto q = Quantity::parse(value);
  if (!q) {
    invalid(causes, field, value,
            "must match the regex '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    return;
  }
  if (non_negative && *q < Quantity::from_milli(0))
    invalid(causes, field, value, "must be greater than or equal to 0");
}

void check_resource_list(Causes& causes, const std::string& field, k8s::ResourceList::Reader list) {
  for (auto e : list.getEntries()) {
    auto name = text(e.getKey());
    auto path = field + "[" + name + "]";
    for (const auto& m : check_qualified_name(name)) invalid(causes, path, name, m);
    check_quantity(causes, path, text(e.getValue()));
  }
}

void check_label_selector(Causes& causes, const std::string& field,
                          k8s::LabelSelector::Reader selector) {
  check_label_map(causes, field + ".matchLabels", as_map(selector.getMatchLabels()));
  auto expressions = selector.getMatchExpressions();
  for (unsigned i = 0; i < expressions.size(); ++i) {
    auto path = at(field + ".matchExpressions", i);
    auto r = expressions[i];
    auto key = text(r.getKey());
    for (const auto& m : check_qualified_name(key)) invalid(causes, path + ".key", key, m);
    auto op = text(r.getOperator());
    if (op == "In" || op == "NotIn") {
      if (r.getValues().size() == 0)
        required(causes, path + ".values", "must be specified when `operator` is 'In' or 'NotIn'");
    } else if (op == "Exists" || op == "DoesNotExist") {
      if (r.getValues().size() != 0)
        forbidden(causes, path + ".values",
                  "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
    } else {
      check_enum(causes, path + ".operator", op, {"In", "NotIn", "Exists", "DoesNotExist"}, true);
    }
    for (auto v : r.getValues())
      for (const auto& m : check_label_value(text(v)))
        invalid(causes, path + ".values", text(v), m);
  }
}

void check_int_or_percent(Causes& causes, const std::string& field,
                          k8s::IntOrString::Reader value) {
  if (value.isIntVal()) {
    check_non_negative(causes, field, value.getIntVal());
    return;
  }
  auto s = text(value.getStrVal());
  bool ok = s.size() >= 2 && s.back() == '%' && s.size() <= 11;
  for (std::size_t i = 0; ok && i + 1 < s.size(); ++i)
    ok = std::isdigit(static_cast<unsigned char>(s[i]));
  if (!ok)
    invalid(causes, field, s,
            "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%', "
            " or '93%', regex used for validation is '[0-9]+%')");
}

void check_port(Causes& causes, const std::string& field, std::int64_t port) {
  if (port < 1 || port > 65535)
    invalid(causes, field, port, "must be between 1 and 65535, inclusive");
}

void check_port_name(Causes& causes, const std::string& field, const std::string& name) {
  bool letter = false, ok = !name.empty() && name.size() <= 15;
  for (std::size_t i = 0; ok && i < name.size(); ++i) {
    char c = name[i];
    if (std::islower(static_cast<unsigned char>(c)))
      letter = true;
    else if (c == '-')
      ok = i > 0 && i + 1 < name.size() && name[i - 1] != '-';
    else
      ok = std::isdigit(static_cast<unsigned char>(c));
  }
  if (!ok || !letter)
    invalid(causes, field, name,
            name.size() > 15 ? "must be no more than 15 characters"
                             : "must contain only lowercase alphanumeric characters or '-', at "
                               "least one letter, and no '--' or leading or trailing '-'");
}

void check_ip(Causes& causes, const std::string& field, const std::string& ip) {
  unsigned char buffer[16];
  if (inet_pton(AF_INET, ip.c_str(), buffer) != 1 && inet_pton(AF_INET6, ip.c_str(), buffer) != 1)
    invalid(causes, field, ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
}

Result<LabelSelector> selector_of(k8s::LabelSelector::Reader selector) {
  std::vector<Requirement> requirements;
  for (const auto& [key, value] : as_map(selector.getMatchLabels()))
    requirements.push_back({key, SelectorOp::equals, {value}});
  for (auto r : selector.getMatchExpressions()) {
    Requirement req{text(r.getKey()), SelectorOp::exists, {}};
    auto op = text(r.getOperator());
    if (op == "In")
      req.op = SelectorOp::in;
    else if (op == "NotIn")
      req.op = SelectorOp::not_in;
    else if (op == "Exists")
      req.op = SelectorOp::exists;
    else if (op == "DoesNotExist")
      req.op = SelectorOp::does_not_exist;
    else
      return Error{"invalid", "\"" + op + "\" is not a valid label selector operator"};
    for (auto v : r.getValues()) req.values.push_back(text(v));
    requirements.push_back(std::move(req));
  }
  return LabelSelector::from_requirements(std::move(requirements));
}

void canonicalize(k8s::ResourceList::Builder list) {
  for (auto e : list.getEntries()) {
    auto q = Quantity::parse(text(e.getValue()));
    if (q) e.setValue(q->canonical());
  }
}

namespace {

// Go's %q of a string (what %#v prints strings as).
std::string go_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string go_strings(capnp::List<capnp::Text>::Reader list) {
  if (list.size() == 0) return "[]string(nil)";
  std::string out = "[]string{";
  for (unsigned i = 0; i < list.size(); ++i) out += (i ? ", " : "") + go_quote(text(list[i]));
  return out + "}";
}

}  // namespace

std::string go_string_map(const std::map<std::string, std::string>& map) {
  if (map.empty()) return "map[string]string(nil)";
  std::string out = "map[string]string{";
  bool first = true;
  for (const auto& [key, value] : map) {
    out += (first ? "" : ", ") + go_quote(key) + ":" + go_quote(value);
    first = false;
  }
  return out + "}";
}

std::string go_label_selector(k8s::LabelSelector::Reader selector) {
  std::string expressions = "[]v1.LabelSelectorRequirement(nil)";
  auto list = selector.getMatchExpressions();
  if (list.size() > 0) {
    expressions = "[]v1.LabelSelectorRequirement{";
    for (unsigned i = 0; i < list.size(); ++i)
      expressions += std::string(i ? ", " : "") +
                     "v1.LabelSelectorRequirement{Key:" + go_quote(text(list[i].getKey())) +
                     ", Operator:" + go_quote(text(list[i].getOperator())) +
                     ", Values:" + go_strings(list[i].getValues()) + "}";
    expressions += "}";
  }
  return "v1.LabelSelector{MatchLabels:" + go_string_map(as_map(selector.getMatchLabels())) +
         ", MatchExpressions:" + expressions + "}";
}

std::string go_int_or_string(k8s::IntOrString::Reader value) {
  if (value.isStrVal())
    return "intstr.IntOrString{Type:1, IntVal:0, StrVal:" + go_quote(text(value.getStrVal())) + "}";
  return "intstr.IntOrString{Type:0, IntVal:" + std::to_string(value.getIntVal()) +
         ", StrVal:\"\"}";
}

std::string at(const std::string& field, std::size_t index) {
  return field + "[" + std::to_string(index) + "]";
}

}  // namespace craton::api
