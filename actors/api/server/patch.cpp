// JSON patch and merge patch come from nlohmann::json; strategic merge patch is ours, over
// Kubernetes' merge keys for the built-in types (meta/merge_keys.hpp).
#include "actors/api/server/patch.hpp"

#include "actors/api/meta/merge_keys.hpp"
#include "actors/api/server/json_body.hpp"

#include <algorithm>
#include <map>
#include <string>

namespace craton::api {
namespace {

using json = nlohmann::json;

constexpr std::string_view kDeleteFromPrimitive = "$deleteFromPrimitiveList/";
constexpr std::string_view kSetElementOrder = "$setElementOrder/";

// The merge key of a list field of objects (meta/merge_keys.hpp); "ports" is containerPort in a
// container and port in a Service: the elements tell which.
std::string merge_key(const std::string& field, const json& elements) {
  bool container_ports = std::any_of(elements.begin(), elements.end(), [](const json& e) {
    return e.is_object() && e.contains("containerPort");
  });
  return list_merge_key(field, container_ports);
}

Result<json> merge_object(json original, const json& patch);

Result<json> merge_list(const json& original, const json& patch, const std::string& key) {
  json out = original.is_array() ? original : json::array();
  for (const auto& element : patch) {
    if (!element.is_object() || !element.contains(key))
      return Error{"bad_patch", "an element of a list merged by '" + key + "' lacks that key"};
    auto match = std::find_if(out.begin(), out.end(), [&](const json& e) {
      return e.is_object() && e.contains(key) && e[key] == element[key];
    });
    auto directive = element.value("$patch", "");
    if (directive == "delete") {
      if (match != out.end()) out.erase(match);
      continue;
    }
    if (!directive.empty() && directive != "merge" && directive != "replace")
      return Error{"bad_patch", "unknown $patch directive '" + directive + "'"};
    if (match == out.end()) {
      auto added = merge_object(json::object(), element);
      if (!added) return added.error();
      out.push_back(std::move(*added));
    } else if (directive == "replace") {
      json replaced = element;
      replaced.erase("$patch");
      *match = std::move(replaced);
    } else {
      auto merged = merge_object(*match, element);
      if (!merged) return merged.error();
      *match = std::move(*merged);
    }
  }
  return out;
}

Result<json> merge_object(json original, const json& patch) {
  if (!original.is_object()) original = json::object();
  if (patch.contains("$patch") && patch["$patch"] == "replace") {
    json replaced = patch;
    replaced.erase("$patch");
    return replaced;
  }
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    const std::string& field = it.key();
    const json& value = it.value();
    if (field == "$patch" || field == "$retainKeys" || field.rfind(kSetElementOrder, 0) == 0)
      continue;
    if (field.rfind(kDeleteFromPrimitive, 0) == 0) {
      auto target = field.substr(kDeleteFromPrimitive.size());
      if (!value.is_array()) return Error{"bad_patch", field + " must be a list"};
      if (original.contains(target) && original[target].is_array()) {
        auto& list = original[target];
        for (const auto& v : value)
          list.erase(std::remove(list.begin(), list.end(), v), list.end());
      }
      continue;
    }
    if (value.is_null()) {
      original.erase(field);
    } else if (value.is_object()) {
      if (value.contains("$patch") && value["$patch"] == "delete") {
        original.erase(field);
        continue;
      }
      auto merged =
          merge_object(original.contains(field) ? original[field] : json::object(), value);
      if (!merged) return merged.error();
      original[field] = std::move(*merged);
    } else if (value.is_array()) {
      auto key = merge_key(field, value);
      if (!key.empty()) {
        auto merged =
            merge_list(original.contains(field) ? original[field] : json::array(), value, key);
        if (!merged) return merged.error();
        original[field] = std::move(*merged);
      } else if (list_merges_as_set(field) && original.contains(field) &&
                 original[field].is_array()) {
        auto& list = original[field];
        for (const auto& v : value)
          if (std::find(list.begin(), list.end(), v) == list.end()) list.push_back(v);
      } else {
        original[field] = value;
      }
    } else {
      original[field] = value;
    }
  }
  return original;
}

}  // namespace

Result<PatchType> patch_type(std::string_view content_type) {
  auto base = content_type.substr(0, content_type.find(';'));
  if (base == "application/json-patch+json") return PatchType::json;
  if (base == "application/merge-patch+json") return PatchType::merge;
  if (base == "application/strategic-merge-patch+json") return PatchType::strategic;
  return Error{"unsupported_media_type",
               "the body of the request was in an unknown format - accepted media types "
               "include: application/json-patch+json, application/merge-patch+json, "
               "application/strategic-merge-patch+json"};
}

Result<json> apply_patch(const json& original, std::string_view patch, PatchType type) {
  auto body = parse_json_body(patch);
  if (!body) return Error{"bad_patch", "the patch: " + body.error().message};
  json parsed = std::move(*body);
  try {
    switch (type) {
      case PatchType::json:
        if (!parsed.is_array()) return Error{"bad_patch", "a JSON patch must be a list"};
        return original.patch(parsed);
      case PatchType::merge: {
        json out = original;
        out.merge_patch(parsed);
        return out;
      }
      case PatchType::strategic:
        if (!parsed.is_object())
          return Error{"bad_patch", "a strategic merge patch must be an object"};
        return merge_object(original, parsed);
    }
  } catch (const json::exception& e) {
    return Error{"bad_patch", e.what()};
  }
  return Error{"bad_patch", "unknown patch type"};
}

}  // namespace craton::api
