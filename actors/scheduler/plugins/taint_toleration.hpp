// TaintToleration, as Kubernetes' plugin of that name:
// - Filter: the first of the node's NoSchedule or NoExecute taints that no toleration of the pod
//   tolerates rejects the node: UnschedulableAndUnresolvable,
//   "node(s) had untolerated taint {key: value}".
// - Score: the number of the node's PreferNoSchedule taints not tolerated by the pod's
//   tolerations with effect PreferNoSchedule or empty; NormalizeScore reverses it (fewest
//   intolerable taints -> 100; none anywhere -> 100 everywhere).
#pragma once

#include <memory>

#include "actors/scheduler/framework/registry.hpp"

namespace craton::scheduler {

class TaintToleration final : public FilterPlugin,
                              public PreScorePlugin,
                              public ScorePlugin,
                              public EnqueueExtensions {
 public:
  static constexpr std::string_view kName = "TaintToleration";
  std::string_view name() const override { return kName; }
  /// Kube 1.32: a node added or its taints changed, or the pod given a toleration.
  std::vector<ClusterEvent> events_to_register() const override {
    return {{EventResource::node, action::add | action::update_node_taint},
            {EventResource::pod, action::update_pod_tolerations}};
  }
  Status filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
  Status pre_score(CycleState& state, const PodInfo& pod,
                   std::span<const NodeInfo* const> feasible) override;
  Status score(const CycleState& state, const PodInfo& pod, const NodeInfo& node,
               std::int64_t& score) const override;
  bool has_normalize_score() const override { return true; }
  Status normalize_score(const CycleState& state, const PodInfo& pod,
                         std::span<NodeScore> scores) const override;
};

Result<std::unique_ptr<Plugin>> make_taint_toleration(const PluginContext& context);

}  // namespace craton::scheduler
