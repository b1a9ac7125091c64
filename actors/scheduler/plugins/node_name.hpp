// NodeName (Filter): a pod with spec.nodeName fits only the node of that name. Rejection:
// UnschedulableAndUnresolvable, "node(s) didn't match the requested node name".
#pragma once

#include <memory>

#include "actors/scheduler/framework/registry.hpp"

namespace craton::scheduler {

class NodeName final : public FilterPlugin, public EnqueueExtensions {
 public:
  static constexpr std::string_view kName = "NodeName";
  static constexpr std::string_view kReason = "node(s) didn't match the requested node name";
  std::string_view name() const override { return kName; }
  /// Kube 1.32: the named node may appear; nothing else changes a node's name.
  std::vector<ClusterEvent> events_to_register() const override {
    return {{EventResource::node, action::add}};
  }
  Status filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
};

Result<std::unique_ptr<Plugin>> make_node_name(const PluginContext& context);

}  // namespace craton::scheduler
