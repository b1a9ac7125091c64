// Node and pod update classification (see the header).
#include "actors/scheduler/service/cluster_events.hpp"

namespace craton::scheduler {
namespace {

bool same_taints(const std::vector<Taint>& a, const std::vector<Taint>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].key != b[i].key || a[i].value != b[i].value || a[i].effect != b[i].effect)
      return false;
  return true;
}

// Some request went down and none went up (kube's UpdatePodScaleDown: room was freed).
bool smaller(const Resources& now, const Resources& before) {
  auto grew = [&](std::int64_t a, std::int64_t b) { return a > b; };
  if (grew(now.milli_cpu, before.milli_cpu) || grew(now.memory_bytes, before.memory_bytes) ||
      grew(now.ephemeral_storage_bytes, before.ephemeral_storage_bytes))
    return false;
  for (const auto& e : now.extended)
    if (e.amount > before.get(e.id)) return false;
  return !(now == before);
}

}  // namespace

ClusterEvent node_update_event(const NodeInfo& old_node, const NodeInfo& new_node) {
  ClusterEvent e{EventResource::node, 0};
  if (old_node.allocatable() != new_node.allocatable())
    e.actions |= action::update_node_allocatable;
  if (old_node.labels() != new_node.labels()) e.actions |= action::update_node_label;
  // spec.unschedulable is a taint concern in kube (node.kubernetes.io/unschedulable).
  if (!same_taints(old_node.taints(), new_node.taints()) ||
      old_node.unschedulable() != new_node.unschedulable())
    e.actions |= action::update_node_taint;
  return e;
}

ClusterEvent pod_update_event(const PodInfo& old_pod, const PodInfo& new_pod) {
  ClusterEvent e{EventResource::pod, 0};
  if (old_pod.labels != new_pod.labels) e.actions |= action::update_pod_label;
  if (smaller(new_pod.requests, old_pod.requests)) e.actions |= action::update_pod_scale_down;
  if (e.actions == 0) e.actions = action::update_pod_other;
  return e;
}

}  // namespace craton::scheduler
