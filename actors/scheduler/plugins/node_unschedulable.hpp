// NodeUnschedulable (Filter): a node with spec.unschedulable (cordoned) takes no pod, unless the
// pod tolerates the taint node.kubernetes.io/unschedulable:NoSchedule. Rejection:
// UnschedulableAndUnresolvable, "node(s) were unschedulable".
#pragma once

#include <memory>

#include "actors/scheduler/framework/registry.hpp"

namespace craton::scheduler {

class NodeUnschedulable final : public FilterPlugin {
 public:
  static constexpr std::string_view kName = "NodeUnschedulable";
  static constexpr std::string_view kReason = "node(s) were unschedulable";
  NodeUnschedulable();
  std::string_view name() const override { return kName; }
  Status filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;

 private:
  Taint unschedulable_taint_;
};

Result<std::unique_ptr<Plugin>> make_node_unschedulable(const PluginContext& context);

}  // namespace craton::scheduler
