// Strict reading of a configuration YAML tree, as Kubernetes' strict decoding of its component
// configuration: a mapping's keys must all be fields the reader asks for (an unknown or repeated
// key is an error), a scalar must have its field's type (a quoted "5" is not a number), and every
// error names the field's path ("profiles[1].plugins.score.enabled[0].weight: ...").
// Only the first error is kept: the loader answers it and builds nothing. Internal to
// actors/scheduler/config/ (it exposes yaml-cpp, which the library links privately).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/result.hpp"

namespace craton::scheduler::config_yaml {

/// The first error met while reading ("<path>: <message>"); later ones are dropped.
class ConfigErrors {
 public:
  void add(std::string_view path, std::string_view message);
  bool any() const { return first_.has_value(); }
  const Error& first() const { return *first_; }

 private:
  std::optional<Error> first_;
};

/// "parent.key" ("key" at the root) and "parent[index]".
std::string child_path(std::string_view parent, std::string_view key);
std::string index_path(std::string_view parent, std::size_t index);

/// Absent, or YAML null (`~`, `null`, nothing): the field was not given.
bool is_unset(const YAML::Node& node);

/// Scalar conversions; nullopt after reporting an error at `path`. Numbers and booleans must be
/// plain (unquoted) scalars: decimal integers, and true/false.
std::optional<std::int64_t> as_integer(const YAML::Node& node, std::string_view path,
                                       ConfigErrors& errors);
std::optional<bool> as_bool(const YAML::Node& node, std::string_view path, ConfigErrors& errors);
std::optional<std::string> as_string(const YAML::Node& node, std::string_view path,
                                     ConfigErrors& errors);
/// A Go duration ("15s", "1m30s", "1.5h", "300ms"), as metav1.Duration reads it.
std::optional<std::int64_t> as_duration_ms(const YAML::Node& node, std::string_view path,
                                           ConfigErrors& errors);

/// Go's time.ParseDuration in milliseconds (rounded toward zero); nullopt when malformed.
std::optional<std::int64_t> parse_duration_ms(std::string_view text);

/// The items of a sequence (none when unset), at most `items_max` of them.
std::vector<YAML::Node> sequence_items(const YAML::Node& node, std::string_view path,
                                       std::size_t items_max, ConfigErrors& errors);

/// One YAML mapping, read field by field; `finish` reports the first key nobody asked for.
class YamlFields {
 public:
  /// `node` must be a mapping or unset (no fields); else an error at `path`. Keys must be
  /// scalars and unique.
  YamlFields(const YAML::Node& node, std::string path, ConfigErrors& errors);

  /// The value of `key` (marking it known); an undefined node when absent.
  YAML::Node take(std::string_view key);
  std::string path(std::string_view key) const { return child_path(path_, key); }
  const std::string& path() const { return path_; }
  ConfigErrors& errors() const { return errors_; }

  /// Typed fields; unset leaves `out` as it is. Integers outside min..max are an error.
  void read(std::string_view key, std::int32_t& out, std::int64_t min, std::int64_t max);
  void read(std::string_view key, std::int64_t& out, std::int64_t min, std::int64_t max);
  void read(std::string_view key, std::optional<std::int32_t>& out, std::int64_t min,
            std::int64_t max);
  void read(std::string_view key, bool& out);
  void read(std::string_view key, std::string& out);
  void read_duration_ms(std::string_view key, std::int64_t& out);

  /// Reports the first key no `take` or `read` asked for as an unknown field.
  void finish();

 private:
  struct Entry {
    std::string key;
    YAML::Node value;
    bool taken = false;
  };
  std::vector<Entry> entries_;
  std::string path_;
  ConfigErrors& errors_;
};

}  // namespace craton::scheduler::config_yaml
