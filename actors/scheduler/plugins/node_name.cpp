// NodeName: pods that name their node.
#include "actors/scheduler/plugins/node_name.hpp"

namespace craton::scheduler {

Status NodeName::filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) const {
  if (pod.node_name.empty() || pod.node_name == node.name()) return {};
  return Status::unresolvable(kReason);
}

Result<std::unique_ptr<Plugin>> make_node_name(const PluginContext&) {
  return std::unique_ptr<Plugin>(new NodeName());
}

}  // namespace craton::scheduler
