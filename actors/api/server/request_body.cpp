// Choosing the decoder of a request body by its Content-Type.
#include "actors/api/server/request_body.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "actors/api/server/json_body.hpp"
#include "actors/api/server/yaml_body.hpp"
#include "actors/api/wire/protobuf_body.hpp"

namespace craton::api {

namespace {

// "Application/JSON; charset=utf-8" -> "application/json".
std::string media_type_of(std::string_view content_type) {
  auto base = content_type.substr(0, content_type.find(';'));
  auto first = base.find_first_not_of(" \t");
  auto last = base.find_last_not_of(" \t");
  std::string out = first == std::string_view::npos
                        ? std::string()
                        : std::string(base.substr(first, last - first + 1));
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return out;
}

}  // namespace

Result<nlohmann::json> parse_request_body(std::string_view content_type, std::string_view body) {
  auto media_type = media_type_of(content_type);
  if (media_type.empty() || media_type == "application/json") return parse_json_body(body);
  if (media_type == "application/yaml") return parse_yaml_body(body);
  if (media_type == wire::kProtobufMediaType) return wire::protobuf_body_to_json(body);
  return Error{"unsupported_media_type",
               "the body of the request was in an unknown format - accepted media types "
               "include: application/json, application/yaml, " +
                   std::string(wire::kProtobufMediaType)};
}

}  // namespace craton::api
