// Snapshot: lookup, the affinity lists, and building a snapshot from a plain node list.
#include "actors/scheduler/cache/snapshot.hpp"

#include "runtime/assert.hpp"

namespace craton::scheduler {

Snapshot Snapshot::of(std::vector<NodeInfo> nodes) {
  Snapshot snapshot;
  snapshot.list_.reserve(nodes.size());
  for (auto& node : nodes) {
    auto owned = std::make_unique<NodeInfo>(std::move(node));
    snapshot.list_.push_back(owned.get());
    std::string name = owned->name();
    bool inserted = snapshot.by_name_.emplace(std::move(name), std::move(owned)).second;
    CRATON_ASSERT(inserted, "node names in a snapshot are unique");
  }
  snapshot.rebuild_affinity_lists();
  // No cache has this node-set version: given to update_snapshot, it is rebuilt from the cache
  // (generation 0 copies every node, and the foreign ones are dropped).
  snapshot.node_set_version_ = kNotFromACache;
  return snapshot;
}

const NodeInfo* Snapshot::find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second.get();
}

void Snapshot::rebuild_affinity_lists() {
  with_affinity_.clear();
  with_required_anti_affinity_.clear();
  for (const NodeInfo* node : list_) {
    if (!node->pods_with_affinity().empty()) with_affinity_.push_back(node);
    if (!node->pods_with_required_anti_affinity().empty())
      with_required_anti_affinity_.push_back(node);
  }
}

}  // namespace craton::scheduler
