// NodeResourcesBalancedAllocation: the spread of resource fractions on a node.
#include "actors/scheduler/plugins/balanced_allocation.hpp"

#include <any>
#include <cmath>

namespace craton::scheduler {

Status BalancedAllocation::pre_score(CycleState&, const PodInfo& pod,
                                     std::span<const NodeInfo* const>) {
  for (const auto& r : resources_)
    if (pod.requests.get(r.id) != 0) return {};
  return Status::skip();
}

Status BalancedAllocation::score(const CycleState&, const PodInfo& pod, const NodeInfo& node,
                                 std::int64_t& score) const {
  auto v = allocation_with_pod(pod, node, resources_, true);
  std::array<double, kScoredResourcesMax> fractions{};
  std::size_t count = 0;
  double sum = 0;
  for (std::size_t i = 0; i < v.size; ++i) {
    if (v.allocatable[i] == 0) continue;
    double f = static_cast<double>(v.requested[i]) / static_cast<double>(v.allocatable[i]);
    fractions[count++] = f > 1 ? 1 : f;
    sum += fractions[count - 1];
  }
  double deviation = 0;
  if (count == 2) {
    deviation = std::abs((fractions[0] - fractions[1]) / 2);
  } else if (count > 2) {
    double mean = sum / static_cast<double>(count);
    double squares = 0;
    for (std::size_t i = 0; i < count; ++i)
      squares += (fractions[i] - mean) * (fractions[i] - mean);
    deviation = std::sqrt(squares / static_cast<double>(count));
  }
  score = static_cast<std::int64_t>((1 - deviation) * static_cast<double>(kMaxNodeScore));
  return {};
}

Result<std::unique_ptr<Plugin>> make_balanced_allocation(const PluginContext& context) {
  BalancedAllocationArgs defaults;
  const BalancedAllocationArgs* args = &defaults;
  if (context.args) {
    args = std::any_cast<BalancedAllocationArgs>(context.args);
    if (!args) return Error{"bad_args", "arguments are not BalancedAllocationArgs"};
  }
  auto resources = scored_resources(args->resources, context.resources);
  if (!resources) return resources.error();
  return std::unique_ptr<Plugin>(new BalancedAllocation(std::move(*resources)));
}

}  // namespace craton::scheduler
