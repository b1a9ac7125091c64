// Snapshot: the nodes one scheduling cycle sees, copied from the SchedulerCache at the start of
// the cycle (Kubernetes' pkg/scheduler/backend/cache/snapshot.go). The cycle reads it while the
// cache goes on changing; SchedulerCache::update_snapshot brings it up to date by copying only
// the nodes that changed since its generation.
//
// Promises: nodes() is the cache's NodeTree order (round-robin over zones) and holds only nodes
// the informer knows (no node kept only for its pods); every list points into this snapshot, so a
// pointer stays valid until the next update_snapshot or until the snapshot is destroyed; a
// NodeInfo keeps its address across updates that copy it (the lists need not be rebuilt).
// A snapshot follows one cache: its generation means nothing to another cache.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "actors/scheduler/framework/node_info.hpp"

namespace craton::scheduler {

class Snapshot {
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

 private:
  friend class SchedulerCache;

  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  /// Refills both affinity lists from list_ (O(nodes)); the NodeInfos are unchanged.
  void rebuild_affinity_lists();

  /// Owns the NodeInfos; unique_ptr so that their addresses survive rehashing.
  std::unordered_map<std::string, std::unique_ptr<NodeInfo>, NameHash, std::equal_to<>> by_name_;
  std::vector<const NodeInfo*> list_;
  std::vector<const NodeInfo*> with_affinity_;
  std::vector<const NodeInfo*> with_required_anti_affinity_;
  std::uint64_t generation_ = 0;
  /// The cache's node-set version list_ was built from; another version means nodes were added,
  /// removed or moved between zones, and list_ must be rebuilt.
  std::uint64_t node_set_version_ = 0;
  static constexpr std::uint64_t kNotFromACache = ~std::uint64_t{0};
};

}  // namespace craton::scheduler
