// PodTopologySpread, as Kubernetes' plugin of that name (the pod's own constraints; the
// cluster-level default constraints need the pod's Services and owners, which the model does
// not have yet, so a pod without constraints is not spread):
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
//   ignored (0); NormalizeScore: 100 * (max + min - score) / max (all 100 when max is 0).
//
// Speed: for the common pod (one DoNotSchedule constraint, no nodeSelector or required node
// affinity to honour, taints ignored) PreFilter reads the counts from a TopologyIndex kept
// between cycles (plugins/topology_index.hpp) instead of walking every pod; other pods, and
// PodCounting::every_pod (the slow reference), walk. Filter reads tables the state points to:
// valid until the next PreFilter.
#pragma once

#include <memory>

#include "actors/scheduler/framework/registry.hpp"
#include "actors/scheduler/plugins/topology_index.hpp"

namespace craton::scheduler {

class PodTopologySpread final : public PreFilterPlugin,
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
  std::string_view name() const override { return kName; }
  Status pre_filter(CycleState& state, const PodInfo& pod,
                    std::span<const NodeInfo* const> nodes) override;
  Status filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
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
  PodCounting counting_;
  TopologyIndex index_;
};

Result<std::unique_ptr<Plugin>> make_pod_topology_spread(const PluginContext& context);
/// The same plugin walking every pod in every cycle (the slow reference).
Result<std::unique_ptr<Plugin>> make_pod_topology_spread_every_pod(const PluginContext& context);

}  // namespace craton::scheduler
