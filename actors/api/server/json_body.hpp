// Parsing request bodies as JSON with a nesting bound. nlohmann's parser is iterative, but
// dumping, comparing and destroying a value recurse, so a 3 MiB body of nested objects would
// overflow the stack: bodies nested deeper than kJsonDepthMax (Kubernetes objects need about
// 15 levels) are refused before they are parsed.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "runtime/result.hpp"

namespace craton::api {

inline constexpr std::size_t kJsonDepthMax = 64;

/// The parsed body, or "bad_request" (malformed, or nested deeper than depth_max).
Result<nlohmann::json> parse_json_body(std::string_view text,
                                       std::size_t depth_max = kJsonDepthMax);

}  // namespace craton::api
