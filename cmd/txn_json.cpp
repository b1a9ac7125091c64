// The strict reading of `craton kv txn`'s JSON input (the format is in txn_json.hpp).
#include "cmd/txn_json.hpp"

#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>

#include "cmd/store_client_flags.hpp"

namespace craton::cmd {
namespace {

using nlohmann::json;
using namespace craton::storage;

Error bad(const std::string& where, const std::string& what) {
  return Error{"bad_txn", (where.empty() ? "" : where + ": ") + what};
}

std::string quoted(const std::string& name) {
  return "\"" + name + "\"";
}

// `j` must be an object holding no field outside `known` (listed in the error, in this order).
Status only_fields(const json& j, const std::string& where,
                   std::initializer_list<const char*> known) {
  if (!j.is_object()) return bad(where, "must be a JSON object, not " + std::string(j.type_name()));
  for (const auto& [name, value] : j.items()) {
    bool ok = false;
    for (const char* k : known) ok = ok || name == k;
    if (ok) continue;
    std::string list;
    for (const char* k : known) list += (list.empty() ? "" : ", ") + quoted(k);
    return bad(where, "unknown field " + quoted(name) + " (known: " + list + ")");
  }
  return Ok{};
}

// The field `name` of object `j` as a string; `fallback` when absent unless `required`.
Result<std::string> string_field(const json& j, const std::string& where, const char* name,
                                 bool required, std::string fallback = "") {
  if (!j.contains(name)) {
    if (required) return bad(where, quoted(name) + " is required");
    return fallback;
  }
  const json& v = j.at(name);
  if (!v.is_string())
    return bad(where + "." + name, "must be a string, not " + std::string(v.type_name()));
  return v.get<std::string>();
}

Result<bool> bool_field(const json& j, const std::string& where, const char* name) {
  if (!j.contains(name)) return false;
  const json& v = j.at(name);
  if (!v.is_boolean()) return bad(where + "." + name, "must be true or false, not " + v.dump());
  return v.get<bool>();
}

Result<std::int64_t> integer_field(const json& j, const std::string& where, const char* name) {
  if (!j.contains(name)) return std::int64_t{0};
  const json& v = j.at(name);
  if (!v.is_number_integer() || (v.is_number_unsigned() && v.get<std::uint64_t>() > INT64_MAX))
    return bad(where + "." + name, "must be a whole number (int64), not " + v.dump());
  return v.get<std::int64_t>();
}

// A put's lease: hex text as `craton lease grant` prints it, or a JSON number; 0 is no lease.
Result<std::int64_t> lease_field(const json& j, const std::string& where) {
  if (!j.contains("lease")) return std::int64_t{0};
  const json& v = j.at("lease");
  if (v.is_string()) {
    auto id = parse_lease_id_arg("\"lease\"", v.get<std::string>());
    if (!id) return bad(where, id.error().message);
    return id;
  }
  auto id = integer_field(j, where, "lease");
  if (id && *id < 0) return bad(where + ".lease", "must not be negative: " + v.dump());
  return id;
}

std::string range_end_for(const std::string& key, bool prefix) {
  return prefix ? prefix_end(key) : std::string();
}

Result<Compare> compare_from(const json& j, const std::string& where) {
  static const std::map<std::string, CompareTarget> targets{
      {"value", CompareTarget::value},
      {"version", CompareTarget::version},
      {"create", CompareTarget::create_revision},
      {"mod", CompareTarget::mod_revision},
      {"lease", CompareTarget::lease}};
  static const std::map<std::string, CompareResult> results{{"=", CompareResult::equal},
                                                            {"!=", CompareResult::not_equal},
                                                            {">", CompareResult::greater},
                                                            {"<", CompareResult::less}};
  if (auto st = only_fields(j, where, {"key", "target", "result", "value", "number"}); !st)
    return st.error();
  auto key = string_field(j, where, "key", true);
  auto target = string_field(j, where, "target", false, "value");
  auto result = string_field(j, where, "result", false, "=");
  for (const auto* r : {&key, &target, &result})
    if (!*r) return r->error();
  if (!targets.count(*target))
    return bad(where + ".target",
               "unknown compare target '" + *target + "' (value, version, create, mod, lease)");
  if (!results.count(*result))
    return bad(where + ".result", "unknown compare result '" + *result + "' (=, !=, >, <)");
  Compare c;
  c.key = *key;
  c.target = targets.at(*target);
  c.result = results.at(*result);
  const bool by_value = c.target == CompareTarget::value;
  if (j.contains(by_value ? "number" : "value"))
    return bad(where, by_value ? "a \"value\" compare takes \"value\", not \"number\""
                               : "a \"" + *target + "\" compare takes \"number\", not \"value\"");
  if (by_value) {
    auto value = string_field(j, where, "value", false);
    if (!value) return value.error();
    c.value = *value;
  } else {
    auto number = integer_field(j, where, "number");
    if (!number) return number.error();
    c.number = *number;
  }
  return c;
}

Result<RequestOp> put_from(const json& p, const std::string& where) {
  if (auto st = only_fields(p, where, {"key", "value", "lease", "prev_kv"}); !st) return st.error();
  auto key = string_field(p, where, "key", true);
  if (!key) return key.error();
  auto value = string_field(p, where, "value", false);
  if (!value) return value.error();
  auto lease = lease_field(p, where);
  if (!lease) return lease.error();
  auto prev_kv = bool_field(p, where, "prev_kv");
  if (!prev_kv) return prev_kv.error();
  return RequestOp{PutRequest{*key, *value, *lease, *prev_kv}};
}

Result<RequestOp> get_from(const json& g, const std::string& where) {
  if (auto st = only_fields(g, where, {"key", "prefix"}); !st) return st.error();
  auto key = string_field(g, where, "key", true);
  if (!key) return key.error();
  auto prefix = bool_field(g, where, "prefix");
  if (!prefix) return prefix.error();
  RangeRequest r;
  r.key = *key;
  r.range_end = range_end_for(r.key, *prefix);
  return RequestOp{r};
}

Result<RequestOp> del_from(const json& d, const std::string& where) {
  if (auto st = only_fields(d, where, {"key", "prefix", "prev_kv"}); !st) return st.error();
  auto key = string_field(d, where, "key", true);
  if (!key) return key.error();
  auto prefix = bool_field(d, where, "prefix");
  if (!prefix) return prefix.error();
  auto prev_kv = bool_field(d, where, "prev_kv");
  if (!prev_kv) return prev_kv.error();
  return RequestOp{DeleteRangeRequest{*key, range_end_for(*key, *prefix), *prev_kv}};
}

// One operation: an object with exactly one field, "put", "get" or "del".
Result<RequestOp> op_from(const json& j, const std::string& where) {
  if (auto st = only_fields(j, where, {"put", "get", "del"}); !st) return st.error();
  if (j.size() != 1)
    return bad(where,
               "an operation is one of {\"put\": {...}}, {\"get\": {...}}, "
               "{\"del\": {...}}; this one has " +
                   std::to_string(j.size()) + " fields");
  const auto& [name, body] = *j.items().begin();
  const std::string at = where + "." + name;
  if (name == "put") return put_from(body, at);
  if (name == "get") return get_from(body, at);
  return del_from(body, at);
}

// The array field `name` of the top-level object (absent: empty), each element through `each`.
template <class T, class Each>
Status array_field(const json& top, const char* name, std::vector<T>& out, Each each) {
  if (!top.contains(name)) return Ok{};
  const json& items = top.at(name);
  if (!items.is_array())
    return bad(name, "must be a JSON array, not " + std::string(items.type_name()));
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto item = each(items[i], std::string(name) + "[" + std::to_string(i) + "]");
    if (!item) return item.error();
    out.push_back(std::move(item.value()));
  }
  return Ok{};
}

}  // namespace

Result<TxnRequest> parse_txn_json(std::string_view text) {
  json top;
  try {
    top = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    return bad("", std::string("txn input is not valid JSON: ") + e.what());
  }
  if (auto st = only_fields(top, "txn", {"compare", "success", "failure"}); !st) return st.error();
  TxnRequest txn;
  if (auto st = array_field(top, "compare", txn.compare, compare_from); !st) return st.error();
  if (auto st = array_field(top, "success", txn.success, op_from); !st) return st.error();
  if (auto st = array_field(top, "failure", txn.failure, op_from); !st) return st.error();
  return txn;
}

}  // namespace craton::cmd
