// GpuClustering: GPU pods of one size together.
#include "actors/scheduler/plugins/gpu_clustering.hpp"

namespace craton::scheduler {

std::int64_t GpuClustering::gpu_score(const GpuScoreInput& in, const NodeInfo& node) const {
  bool same = false, other = false;
  for (const auto& pod : node.pods()) {
    GpuRequest r = gpu_request_of(pod->requests, in.data->gpu_share->ids());
    if (r.none() || !r.valid) continue;
    (r.total_milli() == in.data->request.total_milli() ? same : other) = true;
  }
  std::int64_t capacity = std::int64_t{in.gpus.count} * kMilliPerGpu;
  std::int64_t in_use = 25 * (capacity - in.gpus.free_milli_total()) / capacity;
  std::int64_t tier = same ? (other ? 50 : 75) : (other ? 0 : 25);
  return tier + in_use;
}

}  // namespace craton::scheduler
