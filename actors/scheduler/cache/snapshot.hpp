// Snapshot: the nodes one scheduling cycle sees, copied from the SchedulerCache at the start of
// the cycle (Kubernetes' pkg/scheduler/backend/cache/snapshot.go). The cycle reads it while the
// cache goes on changing; SchedulerCache::update_snapshot brings it up to date by copying only
// the nodes that changed since its generation.
//
// Promises: nodes() is the cache's NodeTree order (round-robin over zones) and holds only nodes
// the informer knows (no node kept only for its pods); every list points into this snapshot, so a
// pointer stays valid until the next update_snapshot or until the snapshot is destroyed; a
// NodeInfo keeps its address across updates that copy it (the lists need not be rebuilt).
// A snapshot follows one cache: its generation means nothing to another cache. As a
// NodeListChanges it tells plugins which positions of nodes() changed after a node generation
// (a set of (generation, position), kept by update_snapshot as it copies), so their own
// indexes catch up in O(changed nodes) too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "actors/scheduler/framework/node_info.hpp"
#include "actors/scheduler/framework/node_list_changes.hpp"

namespace craton::scheduler {

class Snapshot final : public NodeListChanges {
 public:
  Snapshot() = default;
  Snapshot(Snapshot&&) = default;
  Snapshot& operator=(Snapshot&&) = default;
  // A copy would hold pointers into the original's NodeInfos.
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  /// A snapshot of the given nodes in the given order, not tied to any cache (tests, and
  /// callers that build node lists themselves, as kube's NewSnapshot). Names must be unique.
  /// Passed to SchedulerCache::update_snapshot later, it becomes a full copy of that cache.
  static Snapshot of(std::vector<NodeInfo> nodes);

  /// The node list, what Framework::schedule takes.
  std::span<const NodeInfo* const> nodes() const { return list_; }
  /// The node named `name`, or nullptr.
  const NodeInfo* find(std::string_view name) const;
  /// Nodes with at least one pod that has any pod (anti-)affinity term (kube's
  /// havePodsWithAffinityNodeInfoList), in nodes() order.
  std::span<const NodeInfo* const> nodes_with_pod_affinity() const { return with_affinity_; }
  /// Nodes with at least one pod that has a required anti-affinity term (kube's
  /// havePodsWithRequiredAntiAffinityNodeInfoList), in nodes() order.
  std::span<const NodeInfo* const> nodes_with_required_anti_affinity() const {
    return with_required_anti_affinity_;
  }
  /// The cache generation this snapshot reflects: every change the cache made up to it.
  std::uint64_t generation() const { return generation_; }
  std::size_t size() const { return list_.size(); }

  // NodeListChanges, over nodes().
  std::uint64_t layout() const override { return layout_; }
  std::uint64_t newest_generation() const override;
  void changed_after(std::uint64_t after,
                     const std::function<void(std::size_t)>& visit) const override;

 private:
  friend class SchedulerCache;

  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  /// Refills both affinity lists from list_ (O(nodes)); the NodeInfos are unchanged.
  void rebuild_affinity_lists();
  /// Refills position_ and by_generation_ from list_ under a new layout (O(nodes): when the
  /// list is rebuilt).
  void reindex_positions();
  /// `node` (copied into in place) had generation `before`: its entry moves to its new one.
  /// Nothing for a node not yet in the list (the list is rebuilt after).
  void regenerated(const NodeInfo* node, std::uint64_t before);

  /// Owns the NodeInfos; unique_ptr so that their addresses survive rehashing.
  std::unordered_map<std::string, std::unique_ptr<NodeInfo>, NameHash, std::equal_to<>> by_name_;
  std::vector<const NodeInfo*> list_;
  std::vector<const NodeInfo*> with_affinity_;
  std::vector<const NodeInfo*> with_required_anti_affinity_;
  std::uint64_t generation_ = 0;
  /// (generation, position in list_) of every node, and each node's position.
  std::set<std::pair<std::uint64_t, std::uint32_t>> by_generation_;
  std::unordered_map<const NodeInfo*, std::uint32_t> position_;
  std::uint64_t layout_ = 0;
  /// The cache's node-set version list_ was built from; another version means nodes were added,
  /// removed or moved between zones, and list_ must be rebuilt.
  std::uint64_t node_set_version_ = 0;
  static constexpr std::uint64_t kNotFromACache = ~std::uint64_t{0};
};

}  // namespace craton::scheduler
