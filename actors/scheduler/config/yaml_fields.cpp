// Strict reading of configuration YAML: paths, scalar conversions, Go durations, mappings.
#include "actors/scheduler/config/yaml_fields.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <utility>

namespace craton::scheduler::config_yaml {

namespace {

// yaml-cpp tags a plain scalar "?" and a quoted one "!": only plain ones are numbers or booleans.
bool is_plain(const YAML::Node& node) {
  return node.Tag() == "?";
}

std::string range_message(std::int64_t value, std::int64_t min, std::int64_t max) {
  if (max >= std::numeric_limits<std::int32_t>::max())  // no upper bound worth printing
    return "must be at least " + std::to_string(min) + ", got " + std::to_string(value);
  return "must be in " + std::to_string(min) + ".." + std::to_string(max) + ", got " +
         std::to_string(value);
}

// Nanoseconds per Go duration unit.
std::optional<long double> unit_ns(std::string_view unit) {
  static constexpr std::array<std::pair<std::string_view, long double>, 8> units = {{
      {"ns", 1.0L},
      {"us", 1e3L},
      {"\xC2\xB5s", 1e3L},  // U+00B5 micro sign
      {"\xCE\xBCs", 1e3L},  // U+03BC Greek mu
      {"ms", 1e6L},
      {"s", 1e9L},
      {"m", 60e9L},
      {"h", 3600e9L},
  }};
  for (const auto& [name, ns] : units)
    if (name == unit) return ns;
  return std::nullopt;
}

// One "<number><unit>" term of a duration at `text`, advancing it; nullopt when malformed.
std::optional<long double> duration_term_ns(std::string_view& text) {
  std::size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  std::string_view number = text.substr(0, i);
  if (number.empty() || number == "." || number.find('.') != number.rfind('.')) return std::nullopt;
  std::size_t unit_end = i;
  while (unit_end < text.size() && !std::isdigit(static_cast<unsigned char>(text[unit_end])) &&
         text[unit_end] != '.')
    ++unit_end;
  auto ns = unit_ns(text.substr(i, unit_end - i));
  if (!ns) return std::nullopt;  // Go: a unit is required (only "0" may omit it)
  long double value = std::strtold(std::string(number).c_str(), nullptr);
  text.remove_prefix(unit_end);
  return value * *ns;
}

}  // namespace

void ConfigErrors::add(std::string_view path, std::string_view message) {
  if (first_) return;
  std::string text(path);
  if (!text.empty()) text += ": ";
  text += message;
  first_ = Error{"bad_config", std::move(text)};
}

std::string child_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string out(parent);
  out += '.';
  out += key;
  return out;
}

std::string index_path(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

bool is_unset(const YAML::Node& node) {
  return !node.IsDefined() || node.IsNull();
}

std::optional<std::int64_t> as_integer(const YAML::Node& node, std::string_view path,
                                       ConfigErrors& errors) {
  if (!node.IsScalar() || !is_plain(node)) {
    errors.add(path, "must be an integer");
    return std::nullopt;
  }
  const std::string& text = node.Scalar();
  std::string_view digits = text;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
    errors.add(path, "must be an integer, got " + text);
    return std::nullopt;
  }
  return value;
}

std::optional<bool> as_bool(const YAML::Node& node, std::string_view path, ConfigErrors& errors) {
  if (node.IsScalar() && is_plain(node)) {
    const std::string& t = node.Scalar();
    if (t == "true" || t == "True" || t == "TRUE") return true;
    if (t == "false" || t == "False" || t == "FALSE") return false;
  }
  errors.add(path, "must be true or false");
  return std::nullopt;
}

std::optional<std::string> as_string(const YAML::Node& node, std::string_view path,
                                     ConfigErrors& errors) {
  if (!node.IsScalar()) {
    errors.add(path, "must be a string");
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<std::int64_t> as_duration_ms(const YAML::Node& node, std::string_view path,
                                           ConfigErrors& errors) {
  auto text = as_string(node, path, errors);
  if (!text) return std::nullopt;
  auto ms = parse_duration_ms(*text);
  if (!ms)
    errors.add(path, "must be a duration such as \"15s\" or \"1m30s\", got \"" + *text + "\"");
  return ms;
}

std::optional<std::int64_t> parse_duration_ms(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return 0;
  if (text.empty()) return std::nullopt;
  long double total_ns = 0;
  while (!text.empty()) {
    auto term = duration_term_ns(text);
    if (!term) return std::nullopt;
    total_ns += *term;
  }
  // Go's time.Duration is int64 nanoseconds (about 292 years).
  if (total_ns > 9.2e18L) return std::nullopt;
  auto ms = static_cast<std::int64_t>(total_ns / 1e6L);
  return negative ? -ms : ms;
}

std::vector<YAML::Node> sequence_items(const YAML::Node& node, std::string_view path,
                                       std::size_t items_max, ConfigErrors& errors) {
  std::vector<YAML::Node> out;
  if (is_unset(node)) return out;
  if (!node.IsSequence()) {
    errors.add(path, "must be a list");
    return out;
  }
  if (node.size() > items_max) {
    errors.add(path, "at most " + std::to_string(items_max) + " items, got " +
                         std::to_string(node.size()));
    return out;
  }
  for (const auto& item : node) out.push_back(item);
  return out;
}

YamlFields::YamlFields(const YAML::Node& node, std::string path, ConfigErrors& errors)
    : path_(std::move(path)), errors_(errors) {
  if (is_unset(node)) return;
  if (!node.IsMap()) {
    errors_.add(path_, "must be a mapping of fields");
    return;
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) {
      errors_.add(path_, "field names must be strings");
      return;
    }
    const std::string& key = it->first.Scalar();
    for (const auto& e : entries_)
      if (e.key == key) {
        errors_.add(child_path(path_, key), "duplicate field");
        return;
      }
    entries_.push_back({key, it->second, false});
  }
}

YAML::Node YamlFields::take(std::string_view key) {
  for (auto& e : entries_)
    if (e.key == key) {
      e.taken = true;
      return e.value;
    }
  return YAML::Node(YAML::NodeType::Undefined);
}

void YamlFields::read(std::string_view key, std::int64_t& out, std::int64_t min, std::int64_t max) {
  YAML::Node node = take(key);
  if (is_unset(node)) return;
  auto value = as_integer(node, path(key), errors_);
  if (!value) return;
  if (*value < min || *value > max) {
    errors_.add(path(key), range_message(*value, min, max));
    return;
  }
  out = *value;
}

void YamlFields::read(std::string_view key, std::int32_t& out, std::int64_t min, std::int64_t max) {
  std::int64_t wide = out;
  read(key, wide, min, max);
  out = static_cast<std::int32_t>(wide);  // min..max lie within int32 for every caller
}

void YamlFields::read(std::string_view key, std::optional<std::int32_t>& out, std::int64_t min,
                      std::int64_t max) {
  if (is_unset(take(key))) return;
  std::int32_t value = 0;
  read(key, value, min, max);
  out = value;
}

void YamlFields::read(std::string_view key, bool& out) {
  YAML::Node node = take(key);
  if (is_unset(node)) return;
  if (auto value = as_bool(node, path(key), errors_)) out = *value;
}

void YamlFields::read(std::string_view key, std::string& out) {
  YAML::Node node = take(key);
  if (is_unset(node)) return;
  if (auto value = as_string(node, path(key), errors_)) out = std::move(*value);
}

void YamlFields::read_duration_ms(std::string_view key, std::int64_t& out) {
  YAML::Node node = take(key);
  if (is_unset(node)) return;
  if (auto value = as_duration_ms(node, path(key), errors_)) out = *value;
}

void YamlFields::finish() {
  for (const auto& e : entries_)
    if (!e.taken) {
      errors_.add(child_path(path_, e.key), "unknown field");
      return;
    }
}

}  // namespace craton::scheduler::config_yaml
