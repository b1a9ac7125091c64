// LabelKey and NodeLabels: node labels hashed once, where a NodeInfo is built, so the loops
// that read one label on every node of every cycle (the topology key of InterPodAffinity and
// PodTopologySpread: which zone, which host) compare integers instead of walking an
// std::map<string, string> (perf at 5,000 nodes: 32% of a cycle was that map's find).
//
// A LabelKey is a label name with its hash, made once per table or constraint; NodeLabels holds
// a node's labels as (key hash, value hash, key, value), and find() compares the key hashes,
// confirming a hit with one string compare (a hash collision never returns the wrong label).
// The LabelValue it answers carries its hash too: DomainCounts (plugins/topology_counts.hpp)
// looks it up without hashing the text again. Hashes are std::hash<string_view>, the same
// function the domain tables hash their string keys with. No shared table, no global state:
// every node owns its copy, so a copied NodeInfo stays valid.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/api/meta/label_selector.hpp"

namespace craton::scheduler {

inline std::size_t label_hash(std::string_view text) {
  return std::hash<std::string_view>{}(text);
}

/// A label name to look up on many nodes, hashed once.
class LabelKey {
 public:
  LabelKey() : hash_(label_hash({})) {}
  explicit LabelKey(std::string name) : name_(std::move(name)), hash_(label_hash(name_)) {}
  const std::string& name() const { return name_; }
  std::size_t hash() const { return hash_; }
  bool operator==(const LabelKey& other) const {
    return hash_ == other.hash_ && name_ == other.name_;
  }

 private:
  std::string name_;
  std::size_t hash_;
};

/// A node's value of some label, and its hash. The text belongs to the NodeInfo it came from.
struct LabelValue {
  std::string_view text;
  std::size_t hash = 0;
};

/// Equal when the text is (for heterogeneous lookups in tables keyed by std::string).
inline bool operator==(const std::string& a, const LabelValue& b) {
  return a == b.text;
}

/// A node's labels, hashed for lookups by LabelKey.
class NodeLabels {
 public:
  NodeLabels() = default;
  explicit NodeLabels(const api::Labels& labels) {
    key_hashes_.reserve(labels.size());
    entries_.reserve(labels.size());
    for (const auto& [key, value] : labels) {
      key_hashes_.push_back(label_hash(key));
      entries_.push_back({key, value, label_hash(value)});
    }
  }
  /// The value of `key`; nullopt when the node has no such label.
  std::optional<LabelValue> find(const LabelKey& key) const {
    for (std::size_t i = 0; i < key_hashes_.size(); ++i)
      if (key_hashes_[i] == key.hash() && entries_[i].key == key.name())
        return LabelValue{entries_[i].value, entries_[i].value_hash};
    return std::nullopt;
  }
  bool contains(const LabelKey& key) const { return find(key).has_value(); }

 private:
  struct Entry {
    std::string key;
    std::string value;
    std::size_t value_hash;
  };
  std::vector<std::size_t> key_hashes_;  ///< apart from the entries: the scan reads only these
  std::vector<Entry> entries_;
};

}  // namespace craton::scheduler
