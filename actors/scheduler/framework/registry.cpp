// Registry, extension point names and the number of nodes to score.
#include "actors/scheduler/framework/registry.hpp"

namespace craton::scheduler {

std::string_view extension_point_name(ExtensionPoint point) {
  static constexpr std::array<std::string_view, kExtensionPoints> names = {
      "QueueSort", "PreFilter", "Filter",  "PostFilter", "PreScore", "Score",
      "Reserve",   "Permit",    "PreBind", "Bind",       "PostBind"};
  return names[static_cast<std::size_t>(point)];
}

Result<Ok> Registry::add(std::string name, PluginFactory factory) {
  if (factories_.count(name))
    return Error{"exists", "a plugin named " + name + " is already registered"};
  factories_.emplace(std::move(name), std::move(factory));
  return Ok{};
}

const PluginFactory* Registry::find(std::string_view name) const {
  auto it = factories_.find(name);
  return it == factories_.end() ? nullptr : &it->second;
}

std::uint32_t num_feasible_nodes_to_find(std::uint32_t all_nodes, std::int32_t percentage) {
  constexpr std::uint32_t min_feasible_nodes = 100;
  constexpr std::int32_t min_feasible_percentage = 5;
  if (all_nodes < min_feasible_nodes) return all_nodes;
  if (percentage <= 0) {
    percentage = 50 - static_cast<std::int32_t>(all_nodes / 125);
    if (percentage < min_feasible_percentage) percentage = min_feasible_percentage;
  }
  if (percentage > 100) percentage = 100;
  auto nodes = static_cast<std::uint32_t>(std::uint64_t{all_nodes} * percentage / 100);
  return nodes < min_feasible_nodes ? min_feasible_nodes : nodes;
}

}  // namespace craton::scheduler
