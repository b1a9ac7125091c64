// GpuPacking: the "GPU packing" baseline of the FGD paper's evaluation as a Score plugin: keep
// fully free GPUs (and fully idle nodes) for the pods that need them by preferring, in tiers:
//   67..100  a share that lands on a GPU already partly used (the fuller it ends, the higher);
//   34..66   a node whose GPUs are partly in use, where the pod needs fresh GPUs (the larger
//            the share of its GPUs already in use, the higher);
//    0..33   a node whose GPUs are all idle (fewer GPUs, higher: big idle nodes are kept).
// A pod without GPU requests, and a node without GPUs, score 0 (no preference). Where the pod
// lands on a node is GpuShare's choose_gpus, so GpuShare must be in the profile (an Error
// names it otherwise). Per node O(GPUs).
#pragma once

#include "actors/scheduler/plugins/gpu_score_plugin.hpp"

namespace craton::scheduler {

class GpuPacking final : public GpuScorePlugin {
 public:
  static constexpr std::string_view kName = "GpuPacking";
  std::string_view name() const override { return kName; }

 private:
  std::string_view needs_gpu_share() const override {
    return "GpuPacking needs the GpuShare plugin in the profile";
  }
  std::int64_t gpu_score(const GpuScoreInput& in, const NodeInfo& node) const override;
};

/// No arguments.
inline constexpr auto make_gpu_packing = make_gpu_score_plugin<GpuPacking>;

}  // namespace craton::scheduler
