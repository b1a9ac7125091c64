// Framework: one profile's plugins, instantiated from a Registry, and the scheduling cycle that
// runs them for one pod over a list of nodes, as Kubernetes' schedulePod does:
//
//   PreFilter -> Filter on nodes from a round-robin start until enough feasible nodes are
//   found (percentageOfNodesToScore) -> PreScore -> Score -> NormalizeScore -> weighted sum ->
//   the best node, ties broken by the caller's seed (no global random generator).
//
// Every rejected node keeps the Status that rejected it (with the plugin's name) so a refusal
// can be explained; a pod that fits nowhere gets Kubernetes' FailedScheduling message
// ("0/N nodes are available: 3 Insufficient cpu, 2 node(s) had untolerated taint {k: v}.").
// Filter runs as Kubernetes' RunFilterPluginsWithNominatedPods: on a node to which pods of equal
// or higher priority are nominated (FrameworkHandle::nominated_pods), the pod must pass both with
// those pods added and without them, so it does not take the room a preemption freed for them.
// The binding-cycle points (Reserve, Permit, PreBind, Bind, PostBind) and PostFilter are run on
// request by the caller, which owns the queue and the cache (and parks pods that Permit holds in
// its WaitingPods). PostFilter plugins dry-run Filter on
// changed copies of nodes (run_filters_on, run_pre_filter_changes). Single-threaded; nodes and
// the pod must outlive the call that uses them.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "actors/scheduler/framework/node_list_changes.hpp"
#include "actors/scheduler/framework/plugin.hpp"
#include "actors/scheduler/framework/registry.hpp"
#include "actors/scheduler/framework/waiting_pods.hpp"
#include "runtime/result.hpp"

namespace craton::scheduler {

/// A node a Filter (or PreFilter) plugin rejected, and why.
struct RejectedNode {
  std::uint32_t node = 0;  ///< index in the cycle's node list
  Status status;
};

/// One feasible node's scores: per score plugin (weighted, in profile order) and the total.
struct ScoredNode {
  std::uint32_t node = 0;
  std::int64_t total = 0;
  std::vector<std::int64_t> by_plugin;  ///< filled only when the caller asks for explanations
};

struct ScheduleResult {
  /// success: suggested_node is set. unschedulable: no node fits (see message and rejected).
  /// error: a plugin failed; message says which.
  Code code = Code::success;
  std::uint32_t suggested_node = 0;  ///< index in the node list
  std::string suggested_host;
  std::uint32_t evaluated_nodes = 0;  ///< feasible + rejected
  std::uint32_t feasible_nodes = 0;
  std::vector<RejectedNode> rejected;
  std::vector<std::string> unschedulable_plugins;  ///< sorted, unique
  std::vector<ScoredNode> scores;                  ///< empty when one node was feasible
  std::string message;                             ///< FailedScheduling or error text
};

/// A pod a dry run added to a node or removed from it (Framework::run_pre_filter_changes).
struct PodChange {
  bool added = false;  ///< false: removed
  const PodInfo* pod = nullptr;
};

/// What the Permit plugins answered together (Kubernetes' RunPermitPlugins).
struct PermitResult {
  /// Success: every plugin allowed. Wait: none rejected and `waits` lists those that hold the
  /// pod (the caller parks it in its WaitingPods). A rejection or an error: the first one, named
  /// by its plugin (later plugins were not asked).
  Status status;
  std::vector<PluginWait> waits;  ///< in plugin order, timeouts cut to kPermitWaitMaxMs
};

/// At most this many Filter plugins in a profile (CycleState keeps their Skips as a bit mask).
inline constexpr std::size_t kFilterPluginsMax = 64;

/// Options of one cycle.
struct CycleOptions {
  std::uint64_t tie_seed = 0;  ///< chooses among equally scored best nodes
  bool explain = false;        ///< keep every plugin's score per node
  /// What changed in the nodes given to schedule() since earlier cycles (the snapshot's), or
  /// nullptr: plugins then look at every node to see what changed.
  const NodeListChanges* node_changes = nullptr;
};

class Framework {
 public:
  /// Instantiates the profile's plugins from the registry; an Error names a missing plugin, a
  /// plugin enabled at a point it does not implement, bad arguments, or no QueueSort plugin.
  /// `handle` (may be nullptr) is lent to every plugin and must outlive the framework.
  static Result<std::unique_ptr<Framework>> create(const Registry& registry, const Profile& profile,
                                                   ResourceNames& resources,
                                                   FrameworkHandle* handle = nullptr);

  const Profile& profile() const { return profile_; }
  /// The profile's QueueSort order.
  bool queue_less(const QueuedPodInfo& a, const QueuedPodInfo& b) const;

  /// One scheduling cycle (PreFilter through picking a host).
  ScheduleResult schedule(CycleState& state, const PodInfo& pod,
                          std::span<const NodeInfo* const> nodes, const CycleOptions& options);

  PostFilterResult run_post_filter(CycleState& state, const PodInfo& pod,
                                   const NodeStatuses& filtered);
  /// Reserve in order; on a failure the ones already run are unreserved (reverse order).
  Status run_reserve(CycleState& state, const PodInfo& pod, std::string_view node);
  void run_unreserve(CycleState& state, const PodInfo& pod, std::string_view node);
  /// Every Permit plugin in order: allow when all allow; the first rejection or error stops
  /// and wins; otherwise wait for every plugin that answered Wait, each with its own timeout.
  PermitResult run_permit(CycleState& state, const PodInfo& pod, std::string_view node);
  Status run_pre_bind(CycleState& state, const PodInfo& pod, std::string_view node);
  /// The first Bind plugin that does not Skip binds.
  Status run_bind(CycleState& state, const PodInfo& pod, std::string_view node);
  void run_post_bind(CycleState& state, const PodInfo& pod, std::string_view node);

  /// Per plugin of the profile, the events that may undo its rejections (EnqueueExtensions);
  /// a plugin without that interface registers every event (ClusterEvent::any()), as in kube.
  std::map<std::string, std::vector<ClusterEvent>, std::less<>> events_to_register() const;

  // Dry runs, for PostFilter plugins (preemption) working on a clone of the cycle's state.
  /// Every Filter plugin not skipped by PreFilter in `state`, on one node: success or the first
  /// rejection, named by its plugin (Kubernetes' RunFilterPlugins).
  Status run_filters_on(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const;
  /// Kubernetes' RunFilterPluginsWithNominatedPods, as the cycle's Filter runs: when pods of
  /// equal or higher priority (not `pod` itself) are nominated to `node`, run_filters_on a copy
  /// of the node with them added (PreFilter data brought up to date on a clone of `state`, whose
  /// all_nodes() must list `node`), then, if that passed, on `node` as it is; the first failure
  /// is the answer (its reasons kept by `state`). Without a handle or nominated pods: one pass.
  Status run_filters_with_nominated_pods(CycleState& state, const PodInfo& pod,
                                         const NodeInfo& node);
  /// Brings what PreFilter wrote in `state` up to date after `changes` to `node`, whose new
  /// version state.all_nodes() must already list in place of the old one. Plugins with
  /// PreFilterExtensions are told of each change (not when their Filter is skipped, as in
  /// Kubernetes); the others run PreFilter again over state.all_nodes(), and their Skip is
  /// updated. A rejection or error is returned with its plugin's name.
  Status run_pre_filter_changes(CycleState& state, const PodInfo& pod, const NodeInfo& node,
                                std::span<const PodChange> changes);
  /// The handle the framework was built with, or nullptr.
  FrameworkHandle* handle() const { return handle_; }

  std::uint32_t next_start_node_index() const { return next_start_node_index_; }
  /// Names of the plugins at a point, in running order (for explanations and tests).
  std::vector<std::string_view> plugin_names(ExtensionPoint point) const;

 private:
  struct ScoreEntry {
    ScorePlugin* plugin;
    std::int64_t weight;
  };
  Framework() = default;
  Result<Ok> add_plugins(const Registry& registry, ResourceNames& resources);
  Plugin* plugin_named(std::string_view name) const;
  /// The index of `plugin` in filter_, or -1 when it is no Filter plugin of the profile.
  int filter_index_of(const Plugin* plugin) const;
  std::uint64_t skipped_filter_mask() const;

  bool run_pre_filter(CycleState& state, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                      ScheduleResult& result);
  void find_feasible(CycleState& state, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                     ScheduleResult& result);
  Status run_filters(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const;
  /// The Filter pass with `ahead` (nominated pods) added to a copy of `node`.
  Status run_filters_with_added(CycleState& state, const PodInfo& pod, const NodeInfo& node,
                                std::span<const std::shared_ptr<const PodInfo>> ahead);
  bool run_scores(CycleState& state, const PodInfo& pod, const CycleOptions& options,
                  ScheduleResult& result);
  void select_host(std::span<const NodeInfo* const> nodes, std::uint64_t tie_seed,
                   ScheduleResult& result) const;

  Profile profile_;
  FrameworkHandle* handle_ = nullptr;
  std::vector<std::unique_ptr<Plugin>> owned_;
  QueueSortPlugin* queue_sort_ = nullptr;
  std::vector<PreFilterPlugin*> pre_filter_;
  std::vector<FilterPlugin*> filter_;
  std::vector<PostFilterPlugin*> post_filter_;
  std::vector<PreScorePlugin*> pre_score_;
  std::vector<ScoreEntry> score_;
  std::vector<ReservePlugin*> reserve_;
  std::vector<PermitPlugin*> permit_;
  std::vector<PreBindPlugin*> pre_bind_;
  std::vector<BindPlugin*> bind_;
  std::vector<PostBindPlugin*> post_bind_;

  // Per-cycle scratch, kept between cycles so a cycle allocates nothing per node.
  std::vector<const Plugin*> skipped_filters_;
  std::vector<const FilterPlugin*> active_filters_;
  std::vector<const Plugin*> skipped_scores_;
  std::vector<const NodeInfo*> feasible_;
  std::vector<std::uint32_t> feasible_index_;
  std::vector<NodeScore> plugin_scores_;
  std::uint32_t next_start_node_index_ = 0;
};

/// Kubernetes' FitError text: "0/<all> nodes are available: <reasons>." where the reasons are
/// the PreFilter message when PreFilter rejected the pod, else each rejection reason counted
/// over the nodes as "<count> <reason>", sorted as strings (as kube sorts them) and joined by
/// ", "; then " <post filter message>." when there is one.
std::string failed_scheduling_message(std::size_t all_nodes, std::string_view pre_filter_message,
                                      std::span<const RejectedNode> rejected,
                                      std::string_view post_filter_message);

}  // namespace craton::scheduler
