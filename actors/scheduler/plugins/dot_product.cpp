// DotProduct: Tetris' alignment of the request and the free resources.
#include "actors/scheduler/plugins/dot_product.hpp"

#include <array>
#include <cmath>

namespace craton::scheduler {

Status DotProduct::score(const CycleState&, const PodInfo& pod, const NodeInfo& node,
                         std::int64_t& score) const {
  const std::array<ResourceId, 3> resources = {kCpu, kMemory, ids_.milli};
  double sum = 0;
  for (ResourceId id : resources) {
    double allocatable = static_cast<double>(node.allocatable().get(id));
    if (allocatable <= 0) continue;
    double free = allocatable - static_cast<double>(node.requested().get(id));
    if (free < 0) free = 0;
    sum += static_cast<double>(pod.requests.get(id)) / allocatable * (free / allocatable);
  }
  score = std::llround(sum * 1e6);
  return {};
}

Result<std::unique_ptr<Plugin>> make_dot_product(const PluginContext& context) {
  if (context.args) return Error{"bad_args", "DotProduct takes no arguments"};
  return std::unique_ptr<Plugin>(new DotProduct(context.resources));
}

}  // namespace craton::scheduler
