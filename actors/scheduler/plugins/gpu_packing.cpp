// GpuPacking: partly used GPUs first, then partly used nodes, then idle nodes.
#include "actors/scheduler/plugins/gpu_packing.hpp"

#include <algorithm>

#include "actors/scheduler/plugins/gpu_share.hpp"

namespace craton::scheduler {

Status GpuPacking::score(const CycleState& state, const PodInfo&, const NodeInfo& node,
                         std::int64_t& score) const {
  GpuScoreInput in;
  if (Status s = gpu_score_input(state, node, kNeedsGpuShare, in); !s.is_success()) return s;
  score = 0;
  if (!in.gpu_pod_on_gpu_node()) return {};
  const NodeGpus& gpus = in.gpus;
  const GpuRequest& request = in.data->request;
  auto mask = choose_gpus(gpus, request);
  if (!mask) return {};  // GpuShare's Filter rejects it; nothing to prefer
  if (request.share()) {
    std::int32_t g = 0;
    while (!(*mask & (GpuMask{1} << g))) ++g;
    if (gpus.used[g] > 0) {
      score = 67 + 33 * std::int64_t{gpus.used[g] + request.milli} / kMilliPerGpu;
      return {};
    }
  }
  std::int32_t in_use = gpus.count - gpus.fully_free();
  if (in_use > 0) {
    score = 34 + 32 * std::int64_t{in_use} / gpus.count;
    return {};
  }
  score = 33 - std::min<std::int64_t>(33, gpus.count);
  return {};
}

Result<std::unique_ptr<Plugin>> make_gpu_packing(const PluginContext& context) {
  if (context.args) return Error{"bad_args", "GpuPacking takes no arguments"};
  return std::unique_ptr<Plugin>(new GpuPacking());
}

}  // namespace craton::scheduler
