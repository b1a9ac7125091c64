// DomainCounts: pod counts per topology domain of one topology key (the node label named by a
// term's or constraint's topologyKey: "eu-1a" -> 3 for topology.kubernetes.io/zone), as the pod
// affinity and topology spread plugins keep them; and DomainLookup, how Filter and Score read
// one such table for a node. Lookups take string_views, so Filter and Score never build a
// string per node.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "actors/scheduler/framework/node_info.hpp"

namespace craton::scheduler {

/// Hashes std::string and std::string_view alike (heterogeneous lookup).
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

/// Per domain value, a count; a domain may be present at 0.
using DomainCounts = std::unordered_map<std::string, std::int64_t, StringHash, std::equal_to<>>;

/// The count of `domain`, 0 when absent.
std::int64_t count_in(const DomainCounts& counts, std::string_view domain);

/// One table a cycle reads: counts per domain of `topology_key`, scaled by `multiplier` (a
/// score weight, or 1). The pointers refer to the plugin's index or to tables the CycleState
/// owns; both outlive the cycle's Filter and Score calls.
struct DomainLookup {
  const std::string* topology_key = nullptr;
  const DomainCounts* counts = nullptr;
  std::int64_t multiplier = 1;
  std::int64_t total = 0;  ///< sum of the counts (before the multiplier)

  /// The node's domain count (times the multiplier); nullopt when the node has no such label.
  std::optional<std::int64_t> for_node(const NodeInfo& node) const;
};

}  // namespace craton::scheduler
