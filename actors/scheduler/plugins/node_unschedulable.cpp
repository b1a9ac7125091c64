// NodeUnschedulable: cordoned nodes.
#include "actors/scheduler/plugins/node_unschedulable.hpp"

namespace craton::scheduler {

NodeUnschedulable::NodeUnschedulable()
    : unschedulable_taint_(
          make_taint("node.kubernetes.io/unschedulable", "", TaintEffect::no_schedule)) {}

Status NodeUnschedulable::filter(const CycleState&, const PodInfo& pod,
                                 const NodeInfo& node) const {
  if (!node.unschedulable()) return {};
  for (const auto& t : pod.tolerations)
    if (t.tolerates(unschedulable_taint_)) return {};
  return Status::unresolvable(kReason);
}

Result<std::unique_ptr<Plugin>> make_node_unschedulable(const PluginContext&) {
  return std::unique_ptr<Plugin>(new NodeUnschedulable());
}

}  // namespace craton::scheduler
