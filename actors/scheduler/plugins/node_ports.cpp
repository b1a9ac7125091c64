// NodePorts: host port conflicts.
#include "actors/scheduler/plugins/node_ports.hpp"

namespace craton::scheduler {

Status NodePorts::pre_filter(CycleState&, const PodInfo& pod, std::span<const NodeInfo* const>) {
  return pod.host_ports.empty() ? Status::skip() : Status::success();
}

Status NodePorts::filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) const {
  for (const auto& wanted : pod.host_ports)
    for (const auto& used : node.used_ports())
      if (wanted.conflicts_with(used)) return Status::unschedulable(kReason);
  return {};
}

Result<std::unique_ptr<Plugin>> make_node_ports(const PluginContext&) {
  return std::unique_ptr<Plugin>(new NodePorts());
}

}  // namespace craton::scheduler
