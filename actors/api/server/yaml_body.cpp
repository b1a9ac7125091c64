// YAML request bodies: a nesting scan before yaml-cpp parses, then a bounded conversion to JSON.
#include "actors/api/server/yaml_body.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>
#include <vector>

namespace craton::api {
namespace {

using json = nlohmann::json;

Error bad_yaml(const std::string& message) {
  return Error{"bad_request", "the request body is not valid YAML: " + message};
}

// Quotes and flow brackets carried from line to line while scanning for depth.
struct ScanState {
  char quote = 0;  ///< ' or " while inside a quoted scalar
  std::size_t flow_depth = 0;
  std::vector<std::size_t> indents;  ///< the indentation of each open block level
};

// The flow and quote part of one line from `from`; returns the deepest flow level reached.
std::size_t scan_flow(std::string_view line, std::size_t from, ScanState& s) {
  std::size_t deepest = s.flow_depth;
  for (std::size_t i = from; i < line.size(); ++i) {
    char c = line[i];
    if (s.quote) {
      if (s.quote == '"' && c == '\\')
        ++i;
      else if (c == s.quote)
        s.quote = 0;
    } else if (c == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
      break;
    } else if (c == '"' || c == '\'') {
      s.quote = c;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++s.flow_depth);
    } else if ((c == ']' || c == '}') && s.flow_depth > 0) {
      --s.flow_depth;
    }
  }
  return deepest;
}

// An upper bound on the nesting of each line: open block levels (by indentation), "- " and
// "? " indicators that open a level each on one line, and flow brackets.
std::size_t line_depth(std::string_view line, ScanState& s) {
  std::size_t indent = line.find_first_not_of(" \t");
  if (indent == std::string_view::npos) return 0;
  std::size_t at = indent;
  if (!s.quote && s.flow_depth == 0) {
    if (line[indent] == '#') return 0;
    while (!s.indents.empty() && s.indents.back() >= indent) s.indents.pop_back();
    s.indents.push_back(indent);
    // "- - - x" nests a sequence per dash; "- key: v" a sequence and a mapping.
    while (at + 1 < line.size() && (line[at] == '-' || line[at] == '?') && line[at + 1] == ' ') {
      s.indents.push_back(at + 1);
      at = line.find_first_not_of(' ', at + 1);
      if (at == std::string_view::npos) at = line.size();
    }
  }
  return s.indents.size() + scan_flow(line, at, s);
}

std::optional<Error> check_depth(std::string_view text, std::size_t depth_max) {
  ScanState s;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = std::min(text.find('\n', start), text.size());
    if (line_depth(text.substr(start, end - start), s) > depth_max)
      return Error{"bad_request",
                   "the request body nests deeper than " + std::to_string(depth_max) + " levels"};
    start = end + 1;
  }
  return std::nullopt;
}

bool is_one_of(const std::string& s, std::initializer_list<const char*> words) {
  return std::any_of(words.begin(), words.end(), [&](const char* w) { return s == w; });
}

// Go's strconv.ParseInt(s, 0, 64) over what YAML 1.1 calls an int (no underscores).
std::optional<std::int64_t> plain_int(std::string_view s) {
  bool negative = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    base = 16, s.remove_prefix(2);
  else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
    base = 2, s.remove_prefix(2);
  else if (s.size() > 1 && s[0] == '0')
    base = 8, s.remove_prefix(1);
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, base);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  if (value > std::uint64_t(INT64_MAX) + (negative ? 1 : 0)) return std::nullopt;
  return negative ? std::int64_t(0 - value) : std::int64_t(value);
}

std::optional<double> plain_float(const std::string& s) {
  if (s.find_first_of(".eE") == std::string::npos) return std::nullopt;
  if (s.find_first_not_of("0123456789+-.eE") != std::string::npos) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

// A plain (unquoted, untagged) scalar resolved as YAML 1.1 does.
json resolve_plain(const std::string& s) {
  if (is_one_of(s, {"", "~", "null", "Null", "NULL"})) return nullptr;
  if (is_one_of(s, {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y"}))
    return true;
  if (is_one_of(s, {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N"}))
    return false;
  if (auto i = plain_int(s)) return *i;
  if (auto f = plain_float(s)) return *f;
  return s;
}

// Converts a parsed document, counting every node and scalar byte it writes, aliases included.
class YamlToJson {
 public:
  explicit YamlToJson(const YamlLimits& limits) : limits_(limits) {}

  Result<json> convert(const YAML::Node& node, std::size_t depth) {
    if (++nodes_ > limits_.nodes_max)
      return bad_yaml("it expands to more than " + std::to_string(limits_.nodes_max) +
                      " nodes (aliases included)");
    if (depth > limits_.depth_max)
      return Error{"bad_request", "the request body nests deeper than " +
                                      std::to_string(limits_.depth_max) + " levels"};
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return json(nullptr);
      case YAML::NodeType::Scalar:
        return scalar(node);
      case YAML::NodeType::Sequence:
        return sequence(node, depth);
      case YAML::NodeType::Map:
        return mapping(node, depth);
    }
    return json(nullptr);
  }

 private:
  Result<json> scalar(const YAML::Node& node) {
    const std::string& s = node.Scalar();
    scalar_bytes_ += s.size();
    if (scalar_bytes_ > limits_.scalar_bytes_max)
      return bad_yaml("its scalars expand to more than " +
                      std::to_string(limits_.scalar_bytes_max) + " bytes (aliases included)");
    const std::string& tag = node.Tag();
    if (tag == "?") return resolve_plain(s);
    if (tag == "!" || tag == "tag:yaml.org,2002:str") return json(s);
    if (tag.rfind("tag:yaml.org,2002:", 0) == 0) return resolve_plain(s);
    return bad_yaml("the tag " + tag + " is not supported");
  }

  Result<json> sequence(const YAML::Node& node, std::size_t depth) {
    json out = json::array();
    for (const auto& item : node) {
      auto value = convert(item, depth + 1);
      if (!value) return value.error();
      out.push_back(std::move(*value));
    }
    return out;
  }

  Result<json> mapping(const YAML::Node& node, std::size_t depth) {
    json out = json::object();
    for (const auto& item : node) {
      if (!item.first.IsScalar()) return bad_yaml("a mapping key is not a scalar");
      scalar_bytes_ += item.first.Scalar().size();
      auto value = convert(item.second, depth + 1);
      if (!value) return value.error();
      out[item.first.Scalar()] = std::move(*value);
    }
    return out;
  }

  const YamlLimits& limits_;
  std::size_t nodes_ = 0;
  std::size_t scalar_bytes_ = 0;
};

Result<YAML::Node> load_one_document(std::string_view text) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    return bad_yaml(e.what());
  }
  std::erase_if(documents, [](const YAML::Node& d) { return d.IsNull(); });
  if (documents.empty()) return Error{"bad_request", "the request body is empty"};
  if (documents.size() > 1)
    return Error{"bad_request", "the request body holds " + std::to_string(documents.size()) +
                                    " YAML documents; send one object per request"};
  return documents.front();
}

}  // namespace

Result<json> parse_yaml_body(std::string_view text, const YamlLimits& limits) {
  if (text.size() > limits.body_bytes_max)
    return Error{"bad_request", "the request body is larger than " +
                                    std::to_string(limits.body_bytes_max) + " bytes"};
  if (auto e = check_depth(text, limits.depth_max)) return *e;
  auto document = load_one_document(text);
  if (!document) return document.error();
  return YamlToJson(limits).convert(*document, 1);
}

}  // namespace craton::api
