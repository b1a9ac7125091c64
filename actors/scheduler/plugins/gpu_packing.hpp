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

#include <memory>

#include "actors/scheduler/framework/registry.hpp"

namespace craton::scheduler {

class GpuPacking final : public ScorePlugin {
 public:
  static constexpr std::string_view kName = "GpuPacking";
  static constexpr std::string_view kNeedsGpuShare =
      "GpuPacking needs the GpuShare plugin in the profile";
  std::string_view name() const override { return kName; }
  Status score(const CycleState& state, const PodInfo& pod, const NodeInfo& node,
               std::int64_t& score) const override;
};

/// No arguments.
Result<std::unique_ptr<Plugin>> make_gpu_packing(const PluginContext& context);

}  // namespace craton::scheduler
