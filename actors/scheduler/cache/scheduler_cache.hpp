// SchedulerCache: what the scheduler believes is placed where, as Kubernetes' scheduler cache
// (pkg/scheduler/backend/cache/cache.go, 1.32). It is fed by the informers (nodes, and pods
// bound to a node) and by the scheduler itself: a pod it has decided on is *assumed* onto the
// node at once, so the next cycle sees its requests before the asynchronous binding lands. The
// informer's add confirms an assumed pod; a failed binding forgets it, undoing the assume
// exactly.
//
// Pod states (kube's): Assumed -> Added (the informer's add) | forgotten (binding failed) |
// expired (binding finished but no add arrived within the TTL); Added -> updated / removed.
//
// Every change to a node moves it to the head of a recency list and stamps it with the cache's
// next generation, so update_snapshot walks only the nodes changed since the snapshot's
// generation and copies just those: O(changed nodes), not O(nodes). The node list itself is
// rebuilt only when the set of nodes changed.
//
// Promises (checked by CRATON_ASSERT in every build): a pod uid is on at most one node and on
// the node its state names; a node's requested resources equal the sum of its pods' requests;
// a node kept only for its pods (unknown to the informer, or removed while pods remained) is
// never in a snapshot and is dropped with its last pod. Errors the informer's ordering can
// cause are returned as values, never crashes. Single-threaded; time arrives as `now_ms`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "actors/scheduler/cache/node_tree.hpp"
#include "actors/scheduler/cache/snapshot.hpp"
#include "actors/scheduler/framework/node_info.hpp"
#include "actors/scheduler/framework/pod_info.hpp"
#include "runtime/result.hpp"

namespace craton::scheduler {

/// Kubernetes 1.32 builds its cache with durationToExpireAssumedPod = 0 (pkg/scheduler/
/// scheduler.go), and a zero TTL means an assumed pod never expires: expiring it raced with slow
/// bindings and let two pods be counted onto the same room (kubernetes#106361). We follow it;
/// a caller that wants expiry passes a TTL.
inline constexpr std::int64_t kDefaultAssumedPodTtlMs = 0;

/// What one update_snapshot did, for tests and the benchmark (proof of O(changed)).
struct SnapshotUpdate {
  std::size_t visited = 0;    ///< recency-list entries looked at (changed nodes + at most 1)
  std::size_t copied = 0;     ///< NodeInfos copied into the snapshot
  bool list_rebuilt = false;  ///< the node list was rebuilt (the set of nodes changed)
};

class SchedulerCache {
 public:
  /// `assumed_pod_ttl_ms`: how long after finish_binding an assumed pod the informer has not
  /// confirmed is dropped by cleanup_expired; 0: never.
  explicit SchedulerCache(std::int64_t assumed_pod_ttl_ms = kDefaultAssumedPodTtlMs);
  SchedulerCache(const SchedulerCache&) = delete;
  SchedulerCache& operator=(const SchedulerCache&) = delete;

  // --- Nodes (from the node informer) ---

  /// Adds a node (a NodeInfo without pods, from ObjectConverter::node). A node already known,
  /// or kept for pods that arrived first, keeps its pods and takes the new node object.
  void add_node(NodeInfo node);
  /// A new object for a node: labels, taints, unschedulable, allocatable; the pods stay. A node
  /// not yet known is added (as kube does). A zone change moves it in the listing order.
  void update_node(NodeInfo node);
  /// The node leaves every later snapshot. Its NodeInfo is kept while pods still point at it
  /// (their deletions arrive on another watch and may come later). Error `not_found` when the
  /// node is not known.
  Result<Ok> remove_node(const std::string& name);

  // --- Bound pods (from the pod informer) ---

  /// A pod bound to `pod->node_name`. Confirms an assumed pod with the same uid (moving it when
  /// the informer names another node) without counting it twice. A node not known yet gets an
  /// empty NodeInfo that holds the pod until the node arrives. Errors: `invalid` (no node name),
  /// `exists` (already added).
  Result<Ok> add_pod(std::shared_ptr<const PodInfo> pod);
  /// A new version of an added pod (same uid, same node). Errors: `not_found`, `invalid` (uids
  /// differ), `conflict` (the pod is assumed, or the node changed: a bound pod never moves, so
  /// the cache and the informer disagree); on an error nothing changes.
  Result<Ok> update_pod(const PodInfo& old_pod, std::shared_ptr<const PodInfo> new_pod);
  /// Removes a pod (added or assumed) by uid. Error `not_found`.
  Result<Ok> remove_pod(const std::string& uid);

  // --- Assumed pods (from the scheduler's own decisions) ---

  /// Places `pod` on `node_name` before its binding is written. Errors: `exists` when the uid
  /// is already in the cache (assumed or added), `invalid` for an empty node name.
  Result<Ok> assume_pod(std::shared_ptr<const PodInfo> pod, const std::string& node_name);
  /// The binding call for an assumed pod returned; its expiry clock starts at `now_ms`. Nothing
  /// happens when the pod is no longer assumed: the informer's add may arrive before the
  /// binding call returns, and that is normal.
  void finish_binding(const std::string& uid, std::int64_t now_ms);
  /// The binding failed: removes the assumed pod, restoring its node's requests, ports and pod
  /// list to what they were before the assume. Errors: `not_found`, `conflict` (not assumed).
  Result<Ok> forget_pod(const std::string& uid);
  bool is_assumed(const std::string& uid) const;
  /// Drops assumed pods whose binding finished more than the TTL before `now_ms` without the
  /// informer confirming them; returns their uids (sorted). Does nothing with a TTL of 0.
  std::vector<std::string> cleanup_expired(std::int64_t now_ms);

  // --- Snapshots ---

  /// Brings `snapshot` up to this cache's state, copying only the nodes changed since its
  /// generation; rebuilds its node list only when nodes were added, removed or changed zone,
  /// and its affinity lists only when a node started or stopped having such pods.
  SnapshotUpdate update_snapshot(Snapshot& snapshot);

  // --- Reading (tests, metrics, the actor) ---

  /// Nodes the informer knows (those a snapshot lists).
  std::size_t node_count() const { return tree_.size(); }
  /// Pods in the cache, assumed ones included.
  std::size_t pod_count() const { return pods_.size(); }
  std::size_t assumed_count() const { return assumed_.size(); }
  /// The cache's NodeInfo for `name` (also one kept only for its pods), or nullptr.
  const NodeInfo* node(std::string_view name) const;
  /// The cached pod with that uid, or nullptr.
  const PodInfo* pod(const std::string& uid) const;
  /// The node the cache has the pod on, or nullptr.
  const std::string* node_of(const std::string& uid) const;
  /// Walks everything and asserts every promise above (O(nodes + pods)): for tests.
  void check_invariants() const;

 private:
  struct NodeEntry {
    NodeInfo info;
    bool known = false;            ///< the informer has the node (kube: info.Node() != nil)
    std::uint64_t generation = 0;  ///< the cache generation of its last change
  };
  using Recency = std::list<NodeEntry>;
  struct PodState {
    std::shared_ptr<const PodInfo> pod;
    std::string node_name;  ///< where the cache placed it (assumed or bound)
    bool assumed = false;
    bool binding_finished = false;
    std::int64_t deadline_ms = 0;  ///< expiry, once binding_finished
  };
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  void upsert_node(NodeInfo node);
  Recency::iterator entry_for(const std::string& node_name);
  void touch(Recency::iterator entry);
  void place(std::shared_ptr<const PodInfo> pod, const std::string& node_name, bool assumed);
  void unplace(const std::string& uid);
  static void check_node_sums(const NodeInfo& node);

  std::int64_t assumed_pod_ttl_ms_;
  std::uint64_t generation_ = 0;  ///< last generation given to a change
  /// Bumped when nodes are added, removed or change zone: a snapshot's list must be rebuilt.
  std::uint64_t node_set_version_ = 0;
  Recency recency_;  ///< most recently changed first (kube's nodeInfoList from headNode)
  std::unordered_map<std::string, Recency::iterator, NameHash, std::equal_to<>> nodes_;
  NodeTree tree_;
  std::unordered_map<std::string, PodState> pods_;  ///< by uid
  std::set<std::string> assumed_;                   ///< uids; ordered so expiry is deterministic
};

}  // namespace craton::scheduler
