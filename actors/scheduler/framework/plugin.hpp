// The plugin interfaces, one per extension point of Kubernetes' scheduling framework
// (pkg/scheduler/framework/interface.go), in the order a pod meets them:
//
//   QueueSort                 orders the active queue
//   PreFilter                 once per cycle: precompute, or reject the pod outright
//   Filter                    per node: can the pod run here? (const: may run on many threads)
//   PostFilter                when no node passed: e.g. preemption, nominating a node
//   PreScore                  once over the feasible nodes: precompute, or Skip this Score
//   Score + NormalizeScore    per node, then over all scores: 0..100 after normalising
//   Reserve / Unreserve       claim state for the chosen node; undo on any later failure
//   Permit                    allow, deny, or wait (with a timeout): gang scheduling's hook
//   PreBind, Bind, PostBind   binding cycle; a Bind plugin answering Skip passes to the next
//
// A plugin is one object implementing any number of these interfaces (all derive virtually
// from Plugin, so one object is one plugin). Plugins see only the scheduler's model (PodInfo,
// NodeInfo, CycleState), never Cap'n Proto or JSON. Filter and Score are const and must not
// allocate per node on their hot path: keep what they need in CycleState from PreFilter/PreScore.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "actors/scheduler/framework/cluster_event.hpp"
#include "actors/scheduler/framework/cycle_state.hpp"
#include "actors/scheduler/framework/node_info.hpp"
#include "actors/scheduler/framework/pod_info.hpp"
#include "actors/scheduler/framework/status.hpp"

namespace craton::scheduler {

inline constexpr std::int64_t kMaxNodeScore = 100;
inline constexpr std::int64_t kMinNodeScore = 0;

/// A node's score from one plugin. `node` indexes the feasible list PreScore received (the same
/// order Score is called in), so NormalizeScore can find what PreScore kept per node.
struct NodeScore {
  std::uint32_t node = 0;
  std::int64_t score = 0;
};

class Plugin {
 public:
  virtual ~Plugin() = default;
  /// The name the registry and profiles know it by ("NodeResourcesFit").
  virtual std::string_view name() const = 0;
};

/// Kubernetes' EnqueueExtensions: optional, for plugins that reject pods (PreFilter, Filter,
/// Reserve, Permit). A pod this plugin rejected goes back to scheduling only when one of these
/// events happens (or after the queue's unschedulable timeout). A plugin without this interface
/// is taken to care about every event, as in Kubernetes; one answering an empty list is only
/// retried on the timeout. The list is fixed for the plugin's life (the queue reads it once).
class EnqueueExtensions : public virtual Plugin {
 public:
  virtual std::vector<ClusterEvent> events_to_register() const = 0;
};

class QueueSortPlugin : public virtual Plugin {
 public:
  /// True when `a` should be scheduled before `b`.
  virtual bool less(const QueuedPodInfo& a, const QueuedPodInfo& b) const = 0;
};

/// Kubernetes' PreFilterExtensions: how a PreFilter plugin updates what it wrote in a (cloned)
/// CycleState when a dry run adds a pod to a node or removes one from it (preemption asks "would
/// the pod fit without these victims?"). `node` is the node after the change. A plugin without
/// extensions has its PreFilter run again over the changed node list instead
/// (Framework::run_pre_filter_changes), which is always right but costs a full PreFilter.
class PreFilterExtensions {
 public:
  virtual ~PreFilterExtensions() = default;
  virtual Status add_pod(CycleState& state, const PodInfo& pod, const PodInfo& added,
                         const NodeInfo& node) const = 0;
  virtual Status remove_pod(CycleState& state, const PodInfo& pod, const PodInfo& removed,
                            const NodeInfo& node) const = 0;
};

/// PreFilterExtensions written as one function, as kube's plugins write them (updateWithPod):
/// AddPod is update_with_pod with sign +1, RemovePod with -1.
class UpdateWithPodExtensions : public PreFilterExtensions {
 public:
  Status add_pod(CycleState& state, const PodInfo& pod, const PodInfo& added,
                 const NodeInfo& node) const final {
    return update_with_pod(state, pod, added, node, 1);
  }
  Status remove_pod(CycleState& state, const PodInfo& pod, const PodInfo& removed,
                    const NodeInfo& node) const final {
    return update_with_pod(state, pod, removed, node, -1);
  }

 protected:
  /// What PreFilter wrote for `pod` in `state`, changed by `changed` added to (sign +1) or
  /// removed from (-1) `node` (the node after the change).
  virtual Status update_with_pod(CycleState& state, const PodInfo& pod, const PodInfo& changed,
                                 const NodeInfo& node, std::int64_t sign) const = 0;
};

class PreFilterPlugin : public virtual Plugin {
 public:
  /// Skip: the plugin's Filter is not run this cycle. Unschedulable: every node is rejected.
  virtual Status pre_filter(CycleState& state, const PodInfo& pod,
                            std::span<const NodeInfo* const> nodes) = 0;
  /// nullptr: the plugin has no extensions (see PreFilterExtensions).
  virtual const PreFilterExtensions* pre_filter_extensions() const { return nullptr; }
};

class FilterPlugin : public virtual Plugin {
 public:
  virtual Status filter(const CycleState& state, const PodInfo& pod,
                        const NodeInfo& node) const = 0;
};

/// Per node index, the Status that rejected it (success for nodes not rejected).
struct NodeStatuses {
  std::span<const NodeInfo* const> nodes;
  std::span<const Status> statuses;
  /// A random number from the caller for plugins that pick at random (DefaultPreemption's
  /// first candidate node): the same seed, the same choice; no global generator.
  std::uint64_t seed = 0;
};

/// A pod by namespace, name and uid: what the caller needs to delete or patch it.
struct PodRef {
  std::string namespace_;
  std::string name;
  std::string uid;
  bool operator==(const PodRef&) const = default;
};

struct PostFilterResult {
  Status status;  ///< success when a node was nominated
  std::string nominated_node_name;
  /// True: set the pod's status.nominatedNodeName to nominated_node_name, "" clearing it (kube's
  /// NominatingMode Override); false: leave the nomination as it is (ModeNoop).
  bool override_nomination = false;
  /// Pods to delete gracefully so the pod fits on the nominated node (most important first);
  /// victims already terminating are left out (their deletion has begun). The caller should
  /// first set each victim's DisruptionTarget condition (reason PreemptionByScheduler) as kube
  /// does: that is how a later cycle knows the preemption is under way.
  std::vector<PodRef> victims;
  /// Lower-priority pods nominated to the same node: their nomination should be cleared, they
  /// may no longer fit there.
  std::vector<PodRef> nominations_to_clear;
};

class PostFilterPlugin : public virtual Plugin {
 public:
  virtual PostFilterResult post_filter(CycleState& state, const PodInfo& pod,
                                       const NodeStatuses& filtered) = 0;
};

class PreScorePlugin : public virtual Plugin {
 public:
  /// Skip: the plugin's Score is not run this cycle.
  virtual Status pre_score(CycleState& state, const PodInfo& pod,
                           std::span<const NodeInfo* const> feasible) = 0;
};

class ScorePlugin : public virtual Plugin {
 public:
  /// The node's raw score in `score` (any range if normalize_score maps it to 0..100).
  virtual Status score(const CycleState& state, const PodInfo& pod, const NodeInfo& node,
                       std::int64_t& score) const = 0;
  /// False: scores must already be within 0..100.
  virtual bool has_normalize_score() const { return false; }
  virtual Status normalize_score(const CycleState& /*state*/, const PodInfo& /*pod*/,
                                 std::span<NodeScore> /*scores*/) const {
    return {};
  }
};

class ReservePlugin : public virtual Plugin {
 public:
  virtual Status reserve(CycleState& state, const PodInfo& pod, std::string_view node) = 0;
  /// Undoes reserve; must be idempotent and must not fail.
  virtual void unreserve(CycleState& state, const PodInfo& pod, std::string_view node) = 0;
};

struct PermitDecision {
  Status status;                ///< success (allow), wait, or a rejection
  std::int64_t timeout_ms = 0;  ///< for wait: reject the pod when not allowed by then
};

class PermitPlugin : public virtual Plugin {
 public:
  virtual PermitDecision permit(CycleState& state, const PodInfo& pod, std::string_view node) = 0;
};

class PreBindPlugin : public virtual Plugin {
 public:
  virtual Status pre_bind(CycleState& state, const PodInfo& pod, std::string_view node) = 0;
};

class BindPlugin : public virtual Plugin {
 public:
  /// Skip: not this binder's pod; the next Bind plugin is asked.
  virtual Status bind(CycleState& state, const PodInfo& pod, std::string_view node) = 0;
};

class PostBindPlugin : public virtual Plugin {
 public:
  virtual void post_bind(CycleState& state, const PodInfo& pod, std::string_view node) = 0;
};

}  // namespace craton::scheduler
