// NodeAffinity, as Kubernetes' plugin of that name:
// - PreFilter: Skip when the pod has neither spec.nodeSelector nor required node affinity.
// - Filter: every nodeSelector label must be on the node with that value, and at least one
//   required term must match (labels for matchExpressions with In, NotIn, Exists, DoesNotExist,
//   Gt, Lt; matchFields on metadata.name). Rejection: UnschedulableAndUnresolvable,
//   "node(s) didn't match Pod's node affinity/selector".
// - PreScore: Skip when the pod has no preferred terms. Score: the sum of the weights of the
//   preferred terms the node matches; NormalizeScore scales the highest to 100.
#pragma once

#include <memory>

#include "actors/scheduler/framework/registry.hpp"

namespace craton::scheduler {

class NodeAffinity final : public PreFilterPlugin,
                           public FilterPlugin,
                           public PreScorePlugin,
                           public ScorePlugin,
                           public EnqueueExtensions {
 public:
  static constexpr std::string_view kName = "NodeAffinity";
  static constexpr std::string_view kReason = "node(s) didn't match Pod's node affinity/selector";
  std::string_view name() const override { return kName; }
  /// Kube 1.32: only a node's labels (and name, fixed at add) decide affinity.
  std::vector<ClusterEvent> events_to_register() const override {
    return {{EventResource::node, action::add | action::update_node_label}};
  }
  Status pre_filter(CycleState& state, const PodInfo& pod,
                    std::span<const NodeInfo* const> nodes) override;
  Status filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
  Status pre_score(CycleState& state, const PodInfo& pod,
                   std::span<const NodeInfo* const> feasible) override;
  Status score(const CycleState& state, const PodInfo& pod, const NodeInfo& node,
               std::int64_t& score) const override;
  bool has_normalize_score() const override { return true; }
  Status normalize_score(const CycleState& state, const PodInfo& pod,
                         std::span<NodeScore> scores) const override;
};

/// The pod's nodeSelector and required node affinity both hold on the node.
bool required_node_affinity_matches(const PodInfo& pod, const NodeInfo& node);

Result<std::unique_ptr<Plugin>> make_node_affinity(const PluginContext& context);

}  // namespace craton::scheduler
