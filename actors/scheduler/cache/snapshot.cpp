// Snapshot: lookup, the affinity lists, and building a snapshot from a plain node list.
#include "actors/scheduler/cache/snapshot.hpp"

#include <atomic>
#include <cstdint>

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
  snapshot.reindex_positions();
  // No cache has this node-set version: given to update_snapshot, it is rebuilt from the cache
  // (generation 0 copies every node, and the foreign ones are dropped).
  snapshot.node_set_version_ = kNotFromACache;
  return snapshot;
}

const NodeInfo* Snapshot::find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second.get();
}

namespace {
// Layouts are numbered process-wide, so no two lists ever share one.
std::atomic<std::uint64_t> last_layout{0};
}  // namespace

void Snapshot::reindex_positions() {
  layout_ = ++last_layout;
  by_generation_.clear();
  position_.clear();
  position_.reserve(list_.size());
  for (std::size_t i = 0; i < list_.size(); ++i) {
    position_.emplace(list_[i], std::uint32_t(i));
    by_generation_.emplace(list_[i]->generation(), std::uint32_t(i));
  }
}

void Snapshot::regenerated(const NodeInfo* node, std::uint64_t before) {
  auto at = position_.find(node);
  if (at == position_.end()) return;
  by_generation_.erase({before, at->second});
  by_generation_.emplace(node->generation(), at->second);
}

std::uint64_t Snapshot::newest_generation() const {
  return by_generation_.empty() ? 0 : by_generation_.rbegin()->first;
}

void Snapshot::changed_after(std::uint64_t after,
                             const std::function<void(std::size_t)>& visit) const {
  for (auto it = by_generation_.upper_bound({after, UINT32_MAX}); it != by_generation_.end(); ++it)
    visit(it->second);
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
