// Reading an image configuration's "config" object.
#include "storage/images/image_config.hpp"

#include <nlohmann/json.hpp>

namespace craton::images {
namespace {

using nlohmann::json;

Status read_strings(const json& config, const char* key, std::vector<std::string>& out) {
  auto it = config.find(key);
  if (it == config.end() || it->is_null()) return Ok{};
  if (!it->is_array())
    return Error{"malformed", std::string("image config ") + key + " is not a list"};
  for (const json& s : *it) {
    if (!s.is_string())
      return Error{"malformed", std::string("image config ") + key + " holds a non-string"};
    out.push_back(s.get<std::string>());
  }
  return Ok{};
}

Status read_string(const json& config, const char* key, std::string& out) {
  auto it = config.find(key);
  if (it == config.end() || it->is_null()) return Ok{};
  if (!it->is_string())
    return Error{"malformed", std::string("image config ") + key + " is not a string"};
  out = it->get<std::string>();
  return Ok{};
}

}  // namespace

Result<ImageConfig> parse_image_config(const std::string& bytes) {
  json j = json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return Error{"malformed", "image config is not a JSON object"};
  ImageConfig out;
  auto config = j.find("config");
  if (config == j.end() || config->is_null()) return out;  // an image with no settings
  if (!config->is_object()) return Error{"malformed", "image config's config is not an object"};
  for (Status s :
       {read_strings(*config, "Entrypoint", out.entrypoint), read_strings(*config, "Cmd", out.cmd),
        read_strings(*config, "Env", out.env), read_string(*config, "WorkingDir", out.working_dir),
        read_string(*config, "User", out.user)})
    if (!s) return s.error();
  return out;
}

}  // namespace craton::images
