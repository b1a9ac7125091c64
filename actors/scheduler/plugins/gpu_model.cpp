// The GPU model: requests, per-GPU use, and which GPU a request lands on.
#include "actors/scheduler/plugins/gpu_model.hpp"

#include <algorithm>

namespace craton::scheduler {

GpuResourceIds GpuResourceIds::intern(ResourceNames& names) {
  return {names.intern(kGpuResource), names.intern(kGpuMilliResource)};
}

GpuRequest gpu_request_of(const Resources& requests, const GpuResourceIds& ids) {
  std::int64_t whole = requests.get(ids.gpus);
  std::int64_t milli = requests.get(ids.milli);
  GpuRequest out;
  // Bounds keep the arithmetic below in range; a node never has this many GPUs anyway.
  if (whole < 0 || milli < 0 || whole > 1'000'000 || milli > 1'000'000'000) {
    out.valid = false;
    return out;
  }
  if (whole > 0) {
    out.whole = static_cast<std::int32_t>(whole);
    out.valid = milli == 0 || milli == whole * kMilliPerGpu;
    return out;
  }
  if (milli >= kMilliPerGpu) {
    out.whole = static_cast<std::int32_t>(milli / kMilliPerGpu);
    out.valid = milli % kMilliPerGpu == 0;
    return out;
  }
  out.milli = static_cast<std::int32_t>(milli);
  return out;
}

std::int64_t NodeGpus::free_milli_total() const {
  std::int64_t total = 0;
  for (std::int32_t g = 0; g < count; ++g) total += free_of(g);
  return total;
}

std::int32_t NodeGpus::fully_free() const {
  std::int32_t n = 0;
  for (std::int32_t g = 0; g < count; ++g) n += used[g] == 0 ? 1 : 0;
  return n;
}

std::int32_t NodeGpus::partly_used() const {
  std::int32_t n = 0;
  for (std::int32_t g = 0; g < count; ++g) n += used[g] > 0 && used[g] < kMilliPerGpu ? 1 : 0;
  return n;
}

void NodeGpus::take(const GpuRequest& request, GpuMask mask, std::int64_t milli_cpu) {
  for (std::int32_t g = 0; g < count; ++g)
    if (mask & (GpuMask{1} << g))
      used[g] = std::min(kMilliPerGpu, used[g] + request.milli_per_gpu());
  free_milli_cpu -= milli_cpu;
}

NodeGpus empty_node_gpus(const NodeInfo& node, const GpuResourceIds& ids) {
  NodeGpus out;
  std::int64_t gpus = node.allocatable().get(ids.gpus);
  out.count = static_cast<std::int32_t>(
      std::clamp<std::int64_t>(gpus, 0, static_cast<std::int64_t>(kGpusPerNodeMax)));
  out.free_milli_cpu = node.allocatable().milli_cpu - node.requested().milli_cpu;
  return out;
}

std::optional<GpuMask> choose_gpus(const NodeGpus& gpus, const GpuRequest& request) {
  if (!request.valid) return std::nullopt;
  if (request.none()) return GpuMask{0};
  if (request.share()) {
    // Best fit inside the node: the GPU left with the least room that still holds the share.
    std::int32_t best = -1;
    for (std::int32_t g = 0; g < gpus.count; ++g) {
      if (gpus.free_of(g) < request.milli) continue;
      if (best < 0 || gpus.free_of(g) < gpus.free_of(best)) best = g;
    }
    if (best < 0) return std::nullopt;
    return GpuMask{1} << best;
  }
  GpuMask mask = 0;
  std::int32_t found = 0;
  for (std::int32_t g = 0; g < gpus.count && found < request.whole; ++g)
    if (gpus.used[g] == 0) {
      mask |= GpuMask{1} << g;
      ++found;
    }
  if (found < request.whole) return std::nullopt;
  return mask;
}

}  // namespace craton::scheduler
