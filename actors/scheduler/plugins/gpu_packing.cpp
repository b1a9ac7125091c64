// GpuPacking: partly used GPUs first, then partly used nodes, then idle nodes.
#include "actors/scheduler/plugins/gpu_packing.hpp"

#include <algorithm>

namespace craton::scheduler {

std::int64_t GpuPacking::gpu_score(const GpuScoreInput& in, const NodeInfo&) const {
  const NodeGpus& gpus = in.gpus;
  const GpuRequest& request = in.data->request;
  auto mask = choose_gpus(gpus, request);
  if (!mask) return 0;  // GpuShare's Filter rejects it; nothing to prefer
  if (request.share()) {
    std::int32_t g = 0;
    while (!(*mask & (GpuMask{1} << g))) ++g;
    if (gpus.used[g] > 0)
      return 67 + 33 * std::int64_t{gpus.used[g] + request.milli} / kMilliPerGpu;
  }
  std::int32_t in_use = gpus.count - gpus.fully_free();
  if (in_use > 0) return 34 + 32 * std::int64_t{in_use} / gpus.count;
  return 33 - std::min<std::int64_t>(33, gpus.count);
}

}  // namespace craton::scheduler
