// NodeTree: the order in which a snapshot lists the nodes, as Kubernetes' nodeTree
// (pkg/scheduler/backend/cache/node_tree.go). Nodes are grouped by zone key (region and zone
// labels); zones keep the order in which they were first seen, nodes of a zone their insertion
// order, and list() takes one node of each zone in turn (round-robin). The framework filters
// from a rotating start and stops after enough feasible nodes, so this order is what spreads a
// cycle's candidates over zones. Promises: deterministic (no hashing decides an order); a name is
// in at most one zone; size() is the number of names held.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "actors/api/meta/label_selector.hpp"

namespace craton::scheduler {

/// Kubernetes' GetZoneKey: "<region>:\0:<zone>" from topology.kubernetes.io/{region,zone}
/// (falling back to the deprecated failure-domain.beta.kubernetes.io labels), "" when both are
/// absent. The NUL keeps a colon inside a region or zone name from making two keys equal.
std::string zone_key(const api::Labels& labels);

class NodeTree {
 public:
  /// Adds `name` to the zone its labels give; false (and nothing changes) when already held.
  bool add(const std::string& name, const api::Labels& labels);
  /// Removes `name`; false when it is not held. An emptied zone is dropped from the rotation.
  bool remove(const std::string& name);
  /// Moves `name` to the end of its new zone when the labels name another zone; true if moved.
  /// Precondition: `name` is held.
  bool update(const std::string& name, const api::Labels& labels);
  bool contains(std::string_view name) const;
  std::size_t size() const { return zone_of_.size(); }

  /// All names, round-robin over zones: the first node of every zone, then the second, ...
  /// The views point into the tree and stay valid until it next changes.
  std::vector<std::string_view> list() const;

 private:
  struct Zone {
    std::string key;
    std::vector<std::string> nodes;  ///< insertion order
  };
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  Zone& zone_named(const std::string& key);

  std::vector<Zone> zones_;  ///< in the order first seen; never empty zones
  std::unordered_map<std::string, std::string, NameHash, std::equal_to<>> zone_of_;
};

}  // namespace craton::scheduler
