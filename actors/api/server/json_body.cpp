// A linear scan for nesting depth (brackets outside strings), then nlohmann's parser.
#include "actors/api/server/json_body.hpp"

#include <string>

namespace craton::api {

Result<nlohmann::json> parse_json_body(std::string_view text, std::size_t depth_max) {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > depth_max)
        return Error{"bad_request",
                     "the request body nests deeper than " + std::to_string(depth_max) + " levels"};
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return Error{"bad_request", "the request body is not valid JSON"};
  return j;
}

}  // namespace craton::api
