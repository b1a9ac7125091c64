// PodTopologySpread, as Kubernetes' plugin of that name (1.32). Which constraints a pod has:
// its own (spec.topologySpreadConstraints, each selector narrowed by matchLabelKeys: for every
// listed key the pod carries, key=value is added); a pod with none gets the cluster defaults
// (PodTopologySpreadArgs: kube's System defaults, or the configured List) with the selector
// built from the Services, ReplicationController, ReplicaSet and StatefulSet selecting the pod
// (kube's helper.DefaultSelector, read through FrameworkHandle); no such object, no defaults.
// - PreFilter (DoNotSchedule constraints): per constraint, the number of pods its selector
//   matches in the pod's namespace in each domain (the node label named by topologyKey), over
//   the nodes that carry every constraint's key and pass the constraint's node inclusion
//   policies (nodeAffinityPolicy Honor: the pod's nodeSelector and required node affinity;
//   nodeTaintsPolicy Honor: its NoSchedule/NoExecute taints tolerated). Skip without such
//   constraints.
// - Filter: a node without the key: UnschedulableAndUnresolvable "node(s) didn't match pod
//   topology spread constraints (missing required label)"; else skew = pods in the node's
//   domain + 1 if the pod matches its own selector - the smallest domain count (0 when fewer
//   domains than minDomains) must not exceed maxSkew: Unschedulable "node(s) didn't match pod
//   topology spread constraints".
// - Score (ScheduleAnyway constraints): per constraint, count * ln(domains + 2) + maxSkew - 1
//   summed and rounded, counting per node for kubernetes.io/hostname; nodes missing a key are
//   ignored (0), except under System defaults (kube: a node without a zone label still gets
//   hostname spreading; such nodes form the domain ""); NormalizeScore: 100 * (max + min -
//   score) / max (all 100 when max is 0).
//
// - PreFilterExtensions (kube's AddPod/RemovePod): a dry run adding or removing one pod on a
//   node changes the counts of the constraints selecting it by one, kept as deltas beside the
//   shared tables, and the minimum is recomputed over the constraint's domains (O(domains),
//   not a PreFilter over every node).
//
// Speed: for the common pod (one DoNotSchedule constraint, no nodeSelector or required node
// affinity to honour, taints ignored) PreFilter reads the counts from a TopologyIndex kept
// between cycles (plugins/topology_index.hpp) instead of walking every pod; other pods, and
// PodCounting::every_pod (the slow reference), walk. The state holds the tables it read
// (shared copy-on-write with the index): a clone's PreFilter never changes what an older state
// reads.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "actors/scheduler/framework/registry.hpp"
#include "actors/scheduler/framework/selection_ids.hpp"
#include "actors/scheduler/plugins/topology_index.hpp"

namespace craton::scheduler {

/// Kubernetes' PodTopologySpreadArgs.defaultingType.
enum class SpreadDefaulting : std::uint8_t {
  system,  ///< kube's built-in defaults (system_default_constraints)
  list,    ///< PodTopologySpreadArgs::default_constraints (may be empty: no defaults)
};

/// Kubernetes' PodTopologySpreadArgs with its v1 defaults.
struct PodTopologySpreadArgs {
  SpreadDefaulting defaulting_type = SpreadDefaulting::system;
  /// For List: constraints without selectors (each pod's is deduced from its Services and
  /// controller).
  std::vector<TopologySpreadConstraint> default_constraints;
};

/// Kubernetes' System defaults: hostname maxSkew 3 and zone maxSkew 5, both ScheduleAnyway.
std::vector<TopologySpreadConstraint> system_default_constraints();

/// Kubernetes' ValidatePodTopologySpreadArgs: System with constraints listed, maxSkew <= 0, an
/// empty topologyKey, a selector, or a repeated (topologyKey, whenUnsatisfiable) pair is an
/// Error "bad_args" naming the field.
Result<Ok> validate(const PodTopologySpreadArgs& args);

/// Kubernetes' helper.DefaultSelector: the requirements of the Services in the pod's namespace
/// whose selector matches it, plus its controller's selector; nullopt when that is empty.
std::optional<api::LabelSelector> default_spread_selector(const PodInfo& pod,
                                                          const FrameworkHandle* handle);

class PodTopologySpread final : public PreFilterPlugin,
                                public UpdateWithPodExtensions,
                                public FilterPlugin,
                                public PreScorePlugin,
                                public ScorePlugin,
                                public EnqueueExtensions {
 public:
  static constexpr std::string_view kName = "PodTopologySpread";
  static constexpr std::string_view kReason =
      "node(s) didn't match pod topology spread constraints";
  static constexpr std::string_view kMissingLabelReason =
      "node(s) didn't match pod topology spread constraints (missing required label)";
  explicit PodTopologySpread(PodCounting counting = PodCounting::indexed) : counting_(counting) {}
  /// `handle` (may be nullptr: no Services or controllers, so no default constraints apply)
  /// must outlive the plugin; `args` must have passed validate().
  PodTopologySpread(PodTopologySpreadArgs args, const FrameworkHandle* handle,
                    PodCounting counting = PodCounting::indexed)
      : args_(std::move(args)), handle_(handle), counting_(counting) {}
  const PodTopologySpreadArgs& args() const { return args_; }
  /// The constraints of `kind` the plugin applies to `pod` (its own, or the defaults).
  std::vector<TopologySpreadConstraint> constraints_for(const PodInfo& pod,
                                                        WhenUnsatisfiable kind) const;
  std::string_view name() const override { return kName; }
  Status pre_filter(CycleState& state, const PodInfo& pod,
                    std::span<const NodeInfo* const> nodes) override;
  Status filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
  const PreFilterExtensions* pre_filter_extensions() const override { return this; }
  /// Kube 1.32 (queueing hints on): pods added, relabelled or deleted change the counts, a
  /// toleration matters under nodeTaintsPolicy Honor; nodes added, deleted, relabelled or
  /// retainted change the domains.
  std::vector<ClusterEvent> events_to_register() const override {
    return {{EventResource::pod, action::add | action::update_pod_label |
                                     action::update_pod_tolerations | action::remove},
            {EventResource::node,
             action::add | action::remove | action::update_node_label | action::update_node_taint}};
  }
  Status pre_score(CycleState& state, const PodInfo& pod,
                   std::span<const NodeInfo* const> feasible) override;
  Status score(const CycleState& state, const PodInfo& pod, const NodeInfo& node,
               std::int64_t& score) const override;
  bool has_normalize_score() const override { return true; }
  Status normalize_score(const CycleState& state, const PodInfo& pod,
                         std::span<NodeScore> scores) const override;

 private:
  Status update_with_pod(CycleState& state, const PodInfo& pod, const PodInfo& changed,
                         const NodeInfo& node, std::int64_t sign) const override;

  PodTopologySpreadArgs args_;
  const FrameworkHandle* handle_ = nullptr;
  PodCounting counting_;
  TopologyIndex index_;
  /// The selections under which nodes remember their matching pods (NodeInfo::count_selected); none
  /// when counting every pod (the reference walks each time).
  SelectionIds* selection_ids() {
    return counting_ == PodCounting::indexed ? &selection_ids_ : nullptr;
  }
  SelectionIds selection_ids_;
};

/// Arguments: a PodTopologySpreadArgs in the profile, or none for the defaults (System).
Result<std::unique_ptr<Plugin>> make_pod_topology_spread(const PluginContext& context);
/// The same plugin walking every pod in every cycle (the slow reference).
Result<std::unique_ptr<Plugin>> make_pod_topology_spread_every_pod(const PluginContext& context);

}  // namespace craton::scheduler
