// DomainCounts: pod counts per topology domain of one topology key (the node label named by a
// term's or constraint's topologyKey: "eu-1a" -> 3 for topology.kubernetes.io/zone), as the pod
// affinity and topology spread plugins keep them; SharedDomainTable, such a table shared
// copy-on-write between the TopologyIndex that keeps it current and the CycleStates that read
// it; and DomainLookup, how Filter and Score read one table for a node. Lookups take
// string_views, or a node's LabelValue whose hash was computed when the node was built
// (framework/label_key.hpp), so Filter and Score neither build nor hash a string per node.
// Promise: a table a CycleState holds never changes after the state got it (a later sync of
// the index, e.g. a preemption dry run's PreFilter over a copied node, writes to a copy).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "actors/scheduler/framework/node_info.hpp"

namespace craton::scheduler {

/// Hashes std::string and std::string_view alike (heterogeneous lookup).
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return label_hash(s); }
  std::size_t operator()(const LabelValue& v) const { return v.hash; }  ///< hashed already
};

/// Per domain value, a count; a domain may be present at 0.
using DomainCounts = std::unordered_map<std::string, std::int64_t, StringHash, std::equal_to<>>;

/// The count of `domain`, 0 when absent.
std::int64_t count_in(const DomainCounts& counts, std::string_view domain);
/// The same for a node's label value (its hash is not computed again).
std::int64_t count_in(const DomainCounts& counts, const LabelValue& domain);

/// Counts per domain of one topology key.
struct DomainTable {
  LabelKey topology_key;
  DomainCounts counts;
};

/// A DomainTable its owner changes in place until a reader has taken it (share()); the first
/// change after that copies the table, so the reader keeps the counts it took. Costs one
/// reference-count check per change; a copy only when a taken table is still held (a CycleState
/// kept alive across cycles, or a dry run's clone).
class SharedDomainTable {
 public:
  explicit SharedDomainTable(std::string topology_key)
      : table_(std::make_shared<DomainTable>(DomainTable{LabelKey(std::move(topology_key)), {}})) {}
  const DomainCounts& counts() const { return table_->counts; }
  const std::string& topology_key() const { return table_->topology_key.name(); }
  /// The table to change; a copy first when a reader still holds the current one.
  DomainCounts& writable() {
    if (table_.use_count() > 1) table_ = std::make_shared<DomainTable>(*table_);
    return table_->counts;
  }
  /// The table as it is now, for a reader: unchanged by later writable() calls.
  std::shared_ptr<const DomainTable> share() const { return table_; }

 private:
  std::shared_ptr<DomainTable> table_;
};

/// One table a cycle reads: counts per domain of the table's key, scaled by `multiplier` (a
/// score weight, or 1). The lookup holds the table: it outlives the index's next sync.
struct DomainLookup {
  std::shared_ptr<const DomainTable> table;
  std::int64_t multiplier = 1;
  std::int64_t total = 0;  ///< sum of the counts (before the multiplier)

  /// The node's domain count (times the multiplier); nullopt when the node has no such label.
  std::optional<std::int64_t> for_node(const NodeInfo& node) const;
  const DomainCounts& counts() const { return table->counts; }
  const std::string& topology_key() const { return table->topology_key.name(); }
};

}  // namespace craton::scheduler
