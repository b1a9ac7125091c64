// Request bodies in YAML (Content-Type application/yaml, which kube-apiserver accepts and curl
// users send) turned into the JSON the server's one path reads.
//
// yaml-cpp's parser recurses once per nesting level and its nodes share aliased children, so
// the document is checked before and while it is converted. Promises: a body over
// body_bytes_max bytes, or one whose nesting (indentation levels, "- " items on a line and flow
// brackets, counted before yaml-cpp sees it) exceeds depth_max, is refused unparsed; converting
// visits at most nodes_max nodes and copies at most scalar_bytes_max bytes of scalars, so a
// small document whose aliases expand hugely ("billion laughs") is refused; a body with more
// than one document, malformed or truncated YAML, or a key that is not a scalar is a
// "bad_request" Error. Scalars resolve as Go's YAML (sigs.k8s.io/yaml, YAML 1.1) does: plain
// null/~/empty is null, true/false/yes/no/on/off (and y/n) are booleans, integers in decimal,
// 0x hex, 0b binary and leading-0 octal, decimals are numbers; quoted scalars stay strings.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "runtime/result.hpp"

namespace craton::api {

struct YamlLimits {
  std::size_t body_bytes_max = 3 * 1024 * 1024;    ///< kube-apiserver's request body bound
  std::size_t depth_max = 64;                      ///< as kJsonDepthMax
  std::size_t nodes_max = 200'000;                 ///< after aliases are expanded
  std::size_t scalar_bytes_max = 6 * 1024 * 1024;  ///< after aliases are expanded
};

/// The single document of `text` as JSON, or "bad_request" with what is wrong.
Result<nlohmann::json> parse_yaml_body(std::string_view text, const YamlLimits& limits = {});

}  // namespace craton::api
