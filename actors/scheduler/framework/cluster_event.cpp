// ClusterEvent: the match rule and the printable names.
#include "actors/scheduler/framework/cluster_event.hpp"

#include <array>
#include <string_view>
#include <utility>

namespace craton::scheduler {

namespace {

std::string_view resource_name(EventResource resource) {
  switch (resource) {
    case EventResource::pod:
      return "Pod";
    case EventResource::node:
      return "Node";
    case EventResource::wildcard:
      return "*";
  }
  return "?";
}

/// Kube's ActionType names; the groups first so a whole group prints as one word.
constexpr std::array<std::pair<std::uint32_t, std::string_view>, 15> kActionNames = {{
    {action::all, "All"},
    {action::update, "Update"},
    {action::add, "Add"},
    {action::remove, "Delete"},
    {action::update_node_allocatable, "UpdateNodeAllocatable"},
    {action::update_node_label, "UpdateNodeLabel"},
    {action::update_node_taint, "UpdateNodeTaint"},
    {action::update_node_condition, "UpdateNodeCondition"},
    {action::update_node_annotation, "UpdateNodeAnnotation"},
    {action::update_node_other, "UpdateNodeOther"},
    {action::update_pod_label, "UpdatePodLabel"},
    {action::update_pod_scale_down, "UpdatePodScaleDown"},
    {action::update_pod_tolerations, "UpdatePodTolerations"},
    {action::update_pod_scheduling_gates_eliminated, "UpdatePodSchedulingGatesEliminated"},
    {action::update_pod_other, "UpdatePodOther"},
}};

}  // namespace

bool matches(const ClusterEvent& registered, const ClusterEvent& happened) {
  if (registered.is_wildcard()) return true;
  bool same_resource =
      registered.resource == EventResource::wildcard || registered.resource == happened.resource;
  return same_resource && (registered.actions & happened.actions) != 0;
}

std::string cluster_event_name(const ClusterEvent& event) {
  if (event.is_wildcard()) return "WildCard";
  std::string out(resource_name(event.resource));
  std::uint32_t left = event.actions;
  bool first = true;
  // A resource's own update kinds print as "Update" when they are all there (NodeUpdate).
  std::uint32_t own_updates = event.resource == EventResource::node  ? action::update_node
                              : event.resource == EventResource::pod ? action::update_pod
                                                                     : action::update;
  auto take = [&](std::uint32_t bits, std::string_view name) {
    if ((left & bits) != bits || bits == 0) return;
    out += first ? "" : "|";
    out += name;
    first = false;
    left &= ~bits;
  };
  if (left == action::all || left == (action::add | action::remove | own_updates))
    take(left, "All");
  take(own_updates, "Update");
  for (const auto& [bits, name] : kActionNames) take(bits, name);
  if (first) out += "None";
  return out;
}

}  // namespace craton::scheduler
