// NodePorts, as Kubernetes' plugin of that name: PreFilter skips pods without host ports;
// Filter rejects a node where one of the pod's host ports is already used with the same
// protocol on the same address (or either side on 0.0.0.0): Unschedulable,
// "node(s) didn't have free ports for the requested pod ports".
#pragma once

#include <memory>

#include "actors/scheduler/framework/registry.hpp"

namespace craton::scheduler {

class NodePorts final : public PreFilterPlugin, public FilterPlugin, public EnqueueExtensions {
 public:
  static constexpr std::string_view kName = "NodePorts";
  static constexpr std::string_view kReason =
      "node(s) didn't have free ports for the requested pod ports";
  std::string_view name() const override { return kName; }
  /// Kube 1.32: a pod deleted frees its host ports, a node added has all of them free
  /// (container ports are immutable, so pod updates do not matter).
  std::vector<ClusterEvent> events_to_register() const override {
    return {{EventResource::pod, action::remove}, {EventResource::node, action::add}};
  }
  Status pre_filter(CycleState& state, const PodInfo& pod,
                    std::span<const NodeInfo* const> nodes) override;
  Status filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
};

Result<std::unique_ptr<Plugin>> make_node_ports(const PluginContext& context);

}  // namespace craton::scheduler
