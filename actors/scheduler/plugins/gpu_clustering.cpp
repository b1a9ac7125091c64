// GpuClustering: GPU pods of one size together.
#include "actors/scheduler/plugins/gpu_clustering.hpp"

#include "actors/scheduler/plugins/gpu_share.hpp"

namespace craton::scheduler {

Status GpuClustering::score(const CycleState& state, const PodInfo&, const NodeInfo& node,
                            std::int64_t& score) const {
  GpuScoreInput in;
  if (Status s = gpu_score_input(state, node, kNeedsGpuShare, in); !s.is_success()) return s;
  score = 0;
  if (!in.gpu_pod_on_gpu_node()) return {};
  bool same = false, other = false;
  for (const auto& pod : node.pods()) {
    GpuRequest r = gpu_request_of(pod->requests, in.data->gpu_share->ids());
    if (r.none() || !r.valid) continue;
    (r.total_milli() == in.data->request.total_milli() ? same : other) = true;
  }
  std::int64_t capacity = std::int64_t{in.gpus.count} * kMilliPerGpu;
  std::int64_t in_use = 25 * (capacity - in.gpus.free_milli_total()) / capacity;
  std::int64_t tier = same ? (other ? 50 : 75) : (other ? 0 : 25);
  score = tier + in_use;
  return {};
}

Result<std::unique_ptr<Plugin>> make_gpu_clustering(const PluginContext& context) {
  if (context.args) return Error{"bad_args", "GpuClustering takes no arguments"};
  return std::unique_ptr<Plugin>(new GpuClustering());
}

}  // namespace craton::scheduler
