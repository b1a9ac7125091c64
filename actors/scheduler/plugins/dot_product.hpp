// DotProduct: Tetris' alignment heuristic (Grandl et al., SIGCOMM '14) as a Score plugin. The
// pod's request vector and the node's free vector, each resource as a fraction of the node's
// allocatable, over cpu, memory and craton.io/gpu-milli: the node whose free resources align
// best with what the pod asks (the largest dot product) scores 100, the least aligned 0.
//   raw = sum over resources the node has of (request / allocatable) * (free / allocatable)
//   (free before the pod is placed; times 10^6 to keep integer precision), then min..max to
//   0..100 (score_normalization.hpp).
// Per node O(3), no allocation.
#pragma once

#include <memory>

#include "actors/scheduler/framework/registry.hpp"
#include "actors/scheduler/plugins/gpu_model.hpp"
#include "actors/scheduler/plugins/score_normalization.hpp"

namespace craton::scheduler {

class DotProduct final : public MinMaxNormalizedScore {
 public:
  static constexpr std::string_view kName = "DotProduct";
  explicit DotProduct(ResourceNames& names) : ids_(GpuResourceIds::intern(names)) {}
  std::string_view name() const override { return kName; }
  Status score(const CycleState& state, const PodInfo& pod, const NodeInfo& node,
               std::int64_t& score) const override;

 private:
  GpuResourceIds ids_;
};

/// No arguments.
Result<std::unique_ptr<Plugin>> make_dot_product(const PluginContext& context);

}  // namespace craton::scheduler
