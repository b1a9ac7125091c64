// SchedulerCache: nodes, bound and assumed pods, expiry, and the incremental snapshot.
#include "actors/scheduler/cache/scheduler_cache.hpp"

#include <utility>

#include "runtime/assert.hpp"

namespace craton::scheduler {

namespace {

std::string describe(const PodInfo& pod) {
  return "pod " + pod.key() + " (" + pod.uid + ")";
}

}  // namespace

SchedulerCache::SchedulerCache(std::int64_t assumed_pod_ttl_ms)
    : assumed_pod_ttl_ms_(assumed_pod_ttl_ms) {
  CRATON_ASSERT(assumed_pod_ttl_ms >= 0, "the assumed-pod TTL is 0 (never) or positive");
}

// --- Nodes ---

void SchedulerCache::add_node(NodeInfo node) {
  upsert_node(std::move(node));
}

void SchedulerCache::update_node(NodeInfo node) {
  upsert_node(std::move(node));
}

// kube's AddNode and UpdateNode differ only in logging and in UpdateNode moving a node whose
// zone changed; doing that move for both keeps the listing right whichever event arrives.
void SchedulerCache::upsert_node(NodeInfo node) {
  CRATON_ASSERT(node.pods().empty(), "a node from the informer carries no pods");
  const std::string name = node.name();
  auto found = nodes_.find(name);
  if (found == nodes_.end()) {
    recency_.push_front(NodeEntry{std::move(node), false, 0});
    found = nodes_.emplace(name, recency_.begin()).first;
  } else {
    found->second->info.set_node(node.labels(), node.taints(), node.unschedulable(),
                                 node.allocatable());
  }
  NodeEntry& entry = *found->second;
  if (!entry.known) {
    entry.known = tree_.add(name, entry.info.labels());
    CRATON_ASSERT(entry.known, "a node unknown to the cache is not in the tree");
    ++node_set_version_;
  } else if (tree_.update(name, entry.info.labels())) {
    ++node_set_version_;
  }
  touch(found->second);
}

Result<Ok> SchedulerCache::remove_node(const std::string& name) {
  auto found = nodes_.find(name);
  if (found == nodes_.end() || !found->second->known)
    return Error{"not_found", "node " + name + " is not found"};
  NodeEntry& entry = *found->second;
  bool removed = tree_.remove(name);
  CRATON_ASSERT(removed, "a known node is in the tree");
  ++node_set_version_;
  entry.known = false;
  if (entry.info.pods().empty()) {
    recency_.erase(found->second);
    nodes_.erase(found);
    return Ok{};
  }
  // Kept for the pods still on it; forget the node object itself, as kube's RemoveNode does.
  entry.info.set_node({}, {}, false, {});
  touch(found->second);
  return Ok{};
}

// --- Bound pods ---

Result<Ok> SchedulerCache::add_pod(std::shared_ptr<const PodInfo> pod) {
  CRATON_ASSERT(pod != nullptr, "a pod to add");
  if (pod->node_name.empty()) return Error{"invalid", describe(*pod) + " is not bound to a node"};
  auto state = pods_.find(pod->uid);
  if (state != pods_.end() && !state->second.assumed)
    return Error{"exists", describe(*pod) + " was already in added state"};
  // An assumed pod is replaced by the informer's version, on the informer's node: the
  // assumed requests leave their node before the bound ones are counted, never both.
  if (state != pods_.end()) unplace(pod->uid);
  std::string node_name = pod->node_name;
  place(std::move(pod), node_name, /*assumed=*/false);
  return Ok{};
}

Result<Ok> SchedulerCache::update_pod(const PodInfo& old_pod,
                                      std::shared_ptr<const PodInfo> new_pod) {
  CRATON_ASSERT(new_pod != nullptr, "a pod to update to");
  if (old_pod.uid != new_pod->uid)
    return Error{"invalid", describe(*new_pod) + " does not have the uid of " + describe(old_pod)};
  auto state = pods_.find(old_pod.uid);
  if (state == pods_.end())
    return Error{"not_found",
                 describe(old_pod) + " is not added to scheduler cache, so cannot be updated"};
  // An assumed pod gets its add event before any update (kube's state machine).
  if (state->second.assumed)
    return Error{"conflict", "assumed " + describe(old_pod) + " should not be updated"};
  if (state->second.node_name != new_pod->node_name)
    return Error{"conflict", describe(old_pod) + " was added on " + state->second.node_name +
                                 " but updated on " + new_pod->node_name};
  std::string node_name = state->second.node_name;
  unplace(old_pod.uid);
  place(std::move(new_pod), node_name, /*assumed=*/false);
  return Ok{};
}

Result<Ok> SchedulerCache::remove_pod(const std::string& uid) {
  if (!pods_.contains(uid))
    return Error{"not_found", "pod " + uid + " is not found in scheduler cache"};
  unplace(uid);
  return Ok{};
}

// --- Assumed pods ---

Result<Ok> SchedulerCache::assume_pod(std::shared_ptr<const PodInfo> pod,
                                      const std::string& node_name) {
  CRATON_ASSERT(pod != nullptr, "a pod to assume");
  if (pods_.contains(pod->uid))
    return Error{"exists", describe(*pod) + " is in the cache, so can't be assumed"};
  if (node_name.empty()) return Error{"invalid", describe(*pod) + " assumed onto no node"};
  place(std::move(pod), node_name, /*assumed=*/true);
  return Ok{};
}

void SchedulerCache::finish_binding(const std::string& uid, std::int64_t now_ms) {
  auto state = pods_.find(uid);
  if (state == pods_.end() || !state->second.assumed) return;
  state->second.binding_finished = true;
  state->second.deadline_ms = now_ms + assumed_pod_ttl_ms_;
}

Result<Ok> SchedulerCache::forget_pod(const std::string& uid) {
  auto state = pods_.find(uid);
  if (state == pods_.end())
    return Error{"not_found", "pod " + uid + " is not in the cache, so cannot be forgotten"};
  if (!state->second.assumed)
    return Error{"conflict",
                 describe(*state->second.pod) + " wasn't assumed so cannot be forgotten"};
  unplace(uid);
  return Ok{};
}

bool SchedulerCache::is_assumed(const std::string& uid) const {
  return assumed_.contains(uid);
}

std::vector<std::string> SchedulerCache::cleanup_expired(std::int64_t now_ms) {
  std::vector<std::string> expired;
  if (assumed_pod_ttl_ms_ == 0) return expired;
  for (const std::string& uid : assumed_) {
    const PodState& state = pods_.at(uid);
    // A binding still in flight may yet succeed: its pod stays counted (kube's rule).
    if (state.binding_finished && now_ms > state.deadline_ms) expired.push_back(uid);
  }
  for (const std::string& uid : expired) unplace(uid);
  return expired;
}

// --- Snapshots ---

SnapshotUpdate SchedulerCache::update_snapshot(Snapshot& snapshot) {
  SnapshotUpdate update;
  bool affinity_changed = false;
  // The recency list is ordered by generation, newest first: stop at the first node the
  // snapshot already has, so the walk costs the number of changed nodes.
  for (const NodeEntry& entry : recency_) {
    ++update.visited;
    if (entry.generation <= snapshot.generation_) break;
    if (!entry.known) continue;  // kept only for its pods: never in a snapshot
    auto& slot = snapshot.by_name_[entry.info.name()];
    if (!slot) slot = std::make_unique<NodeInfo>();
    affinity_changed |=
        slot->pods_with_affinity().empty() != entry.info.pods_with_affinity().empty();
    affinity_changed |= slot->pods_with_required_anti_affinity().empty() !=
                        entry.info.pods_with_required_anti_affinity().empty();
    // Assigning in place keeps the NodeInfo's address, which the lists hold.
    std::uint64_t before = slot->generation();
    *slot = entry.info;
    snapshot.regenerated(slot.get(), before);
    ++update.copied;
  }
  if (!recency_.empty()) snapshot.generation_ = recency_.front().generation;

  if (snapshot.node_set_version_ != node_set_version_) {
    std::erase_if(snapshot.by_name_, [&](const auto& named) {
      auto found = nodes_.find(named.first);
      return found == nodes_.end() || !found->second->known;
    });
    snapshot.list_.clear();
    for (std::string_view name : tree_.list()) {
      const NodeInfo* node = snapshot.find(name);
      CRATON_ASSERT(node != nullptr, "every node in the tree was copied into the snapshot");
      snapshot.list_.push_back(node);
    }
    snapshot.node_set_version_ = node_set_version_;
    snapshot.reindex_positions();
    update.list_rebuilt = true;
  }
  if (update.list_rebuilt || affinity_changed) snapshot.rebuild_affinity_lists();
  CRATON_ASSERT(snapshot.list_.size() == tree_.size() && snapshot.by_name_.size() == tree_.size(),
                "a snapshot holds exactly the nodes the informer knows");
  return update;
}

// --- Reading ---

const NodeInfo* SchedulerCache::node(std::string_view name) const {
  auto found = nodes_.find(name);
  return found == nodes_.end() ? nullptr : &found->second->info;
}

const PodInfo* SchedulerCache::pod(const std::string& uid) const {
  auto state = pods_.find(uid);
  return state == pods_.end() ? nullptr : state->second.pod.get();
}

const std::string* SchedulerCache::node_of(const std::string& uid) const {
  auto state = pods_.find(uid);
  return state == pods_.end() ? nullptr : &state->second.node_name;
}

void SchedulerCache::check_invariants() const {
  std::size_t pods_on_nodes = 0, known = 0;
  std::uint64_t previous = generation_ + 1;
  for (const NodeEntry& entry : recency_) {
    CRATON_ASSERT(entry.generation < previous, "the recency list is newest first");
    previous = entry.generation;
    CRATON_ASSERT(entry.known || !entry.info.pods().empty(), "a node kept only for pods has pods");
    CRATON_ASSERT(entry.known == tree_.contains(entry.info.name()), "known nodes are in the tree");
    CRATON_ASSERT(nodes_.contains(entry.info.name()), "every listed node is indexed");
    known += entry.known ? 1 : 0;
    check_node_sums(entry.info);
    for (const auto& pod : entry.info.pods()) {
      auto state = pods_.find(pod->uid);
      CRATON_ASSERT(state != pods_.end(), "a pod on a node has a state");
      CRATON_ASSERT(state->second.node_name == entry.info.name(), "a pod is on its state's node");
      CRATON_ASSERT(state->second.assumed == assumed_.contains(pod->uid), "assumed set agrees");
    }
    pods_on_nodes += entry.info.pods().size();
  }
  CRATON_ASSERT(nodes_.size() == recency_.size(), "the index and the list hold the same nodes");
  CRATON_ASSERT(known == tree_.size(), "the tree holds exactly the known nodes");
  CRATON_ASSERT(pods_on_nodes == pods_.size(), "a pod uid is on exactly one node");
}

// --- Internals ---

SchedulerCache::Recency::iterator SchedulerCache::entry_for(const std::string& node_name) {
  if (auto found = nodes_.find(node_name); found != nodes_.end()) return found->second;
  // A pod may arrive before its node (another watch): keep it on an empty NodeInfo.
  recency_.push_front(NodeEntry{NodeInfo(node_name, {}, {}, false, {}), false, 0});
  nodes_.emplace(node_name, recency_.begin());
  return recency_.begin();
}

void SchedulerCache::touch(Recency::iterator entry) {
  entry->generation = ++generation_;
  recency_.splice(recency_.begin(), recency_, entry);
}

void SchedulerCache::place(std::shared_ptr<const PodInfo> pod, const std::string& node_name,
                           bool assumed) {
  CRATON_ASSERT(!pods_.contains(pod->uid), "a pod uid is on at most one node");
  std::string uid = pod->uid;
  auto entry = entry_for(node_name);
  entry->info.add_pod(pod);
  check_node_sums(entry->info);
  touch(entry);
  if (assumed) assumed_.insert(uid);
  pods_.emplace(std::move(uid), PodState{std::move(pod), node_name, assumed, false, 0});
}

void SchedulerCache::unplace(const std::string& uid) {
  auto state = pods_.find(uid);
  CRATON_ASSERT(state != pods_.end(), "a pod to unplace is cached");
  auto found = nodes_.find(state->second.node_name);
  CRATON_ASSERT(found != nodes_.end(), "a cached pod's node is cached");
  NodeEntry& entry = *found->second;
  bool removed = entry.info.remove_pod(uid);
  CRATON_ASSERT(removed, "a cached pod is on its node");
  check_node_sums(entry.info);
  if (entry.info.pods().empty() && !entry.known) {
    recency_.erase(found->second);
    nodes_.erase(found);
  } else {
    touch(found->second);
  }
  assumed_.erase(uid);
  pods_.erase(state);
}

// O(pods on the node): the same order as the copy the next snapshot makes of this node anyway.
void SchedulerCache::check_node_sums(const NodeInfo& node) {
  Resources requested;
  std::int64_t non_zero_milli_cpu = 0, non_zero_memory_bytes = 0;
  std::size_t ports = 0;
  for (const auto& pod : node.pods()) {
    requested.add(pod->requests);
    non_zero_milli_cpu += pod->non_zero_milli_cpu;
    non_zero_memory_bytes += pod->non_zero_memory_bytes;
    ports += pod->host_ports.size();
  }
  CRATON_ASSERT(requested == node.requested(), "a node's requests are its pods' requests");
  CRATON_ASSERT(non_zero_milli_cpu == node.non_zero_milli_cpu() &&
                    non_zero_memory_bytes == node.non_zero_memory_bytes(),
                "a node's non-zero requests are its pods' non-zero requests");
  CRATON_ASSERT(ports == node.used_ports().size(), "a node's used ports are its pods' ports");
}

}  // namespace craton::scheduler
