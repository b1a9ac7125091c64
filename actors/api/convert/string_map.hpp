// Cap'n Proto texts and StringMaps (labels, annotations, data) as C++ strings and maps: the
// one place that reads and writes them, for the converter, the registry and the kinds.
#pragma once

#include <map>
#include <string>

#include "schemas/api_meta.capnp.h"

namespace craton::api {

inline std::string text(capnp::Text::Reader t) {
  return std::string(t.cStr(), t.size());
}

/// A StringMap's or ResourceList's entries (both are sorted key/value lists).
template <class MapReader>
std::map<std::string, std::string> as_map(MapReader m) {
  std::map<std::string, std::string> out;
  for (auto e : m.getEntries()) out[text(e.getKey())] = text(e.getValue());
  return out;
}

/// Fills a StringMap or ResourceList with `m`'s entries, sorted by key (their invariant).
template <class MapBuilder>
void set_map(MapBuilder out, const std::map<std::string, std::string>& m) {
  auto entries = out.initEntries(unsigned(m.size()));
  unsigned i = 0;
  for (const auto& [key, value] : m) {
    entries[i].setKey(key);
    entries[i].setValue(value);
    ++i;
  }
}

}  // namespace craton::api
