// NodeUnschedulable (Filter): a node with spec.unschedulable (cordoned) takes no pod, unless the
// pod tolerates the taint node.kubernetes.io/unschedulable:NoSchedule. Rejection:
// UnschedulableAndUnresolvable, "node(s) were unschedulable".
#pragma once

#include <memory>

#include "actors/scheduler/framework/registry.hpp"

namespace craton::scheduler {

class NodeUnschedulable final : public FilterPlugin, public EnqueueExtensions {
 public:
  static constexpr std::string_view kName = "NodeUnschedulable";
  static constexpr std::string_view kReason = "node(s) were unschedulable";
  NodeUnschedulable();
  std::string_view name() const override { return kName; }
  /// Kube 1.32: a node uncordoned (spec.unschedulable is a taint update) or added, or the pod
  /// given a toleration of the unschedulable taint.
  std::vector<ClusterEvent> events_to_register() const override {
    return {{EventResource::node, action::add | action::update_node_taint},
            {EventResource::pod, action::update_pod_tolerations}};
  }
  Status filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;

 private:
  Taint unschedulable_taint_;
};

Result<std::unique_ptr<Plugin>> make_node_unschedulable(const PluginContext& context);

}  // namespace craton::scheduler
