// GpuClustering: the "GPU clustering" baseline of the FGD paper's evaluation as a Score plugin:
// put pods of the same GPU request size (the same share, or the same number of whole GPUs)
// together, so that nodes hold GPU pods of one kind. In tiers, each raised within by how much
// of the node's GPU capacity is in use (0..25 more):
//   75..100  every GPU pod on the node has the pod's size;
//   50..75   the node has pods of the pod's size among others;
//   25..50   the node has no GPU pod yet;
//    0..25   the node has only GPU pods of other sizes.
// A pod without GPU requests, and a node without GPUs, score 0. Needs GpuShare in the profile
// (per-GPU use; an Error names it otherwise). Per node O(pods on the node), no allocation.
#pragma once

#include "actors/scheduler/plugins/gpu_score_plugin.hpp"

namespace craton::scheduler {

class GpuClustering final : public GpuScorePlugin {
 public:
  static constexpr std::string_view kName = "GpuClustering";
  std::string_view name() const override { return kName; }

 private:
  std::string_view needs_gpu_share() const override {
    return "GpuClustering needs the GpuShare plugin in the profile";
  }
  std::int64_t gpu_score(const GpuScoreInput& in, const NodeInfo& node) const override;
};

/// No arguments.
inline constexpr auto make_gpu_clustering = make_gpu_score_plugin<GpuClustering>;

}  // namespace craton::scheduler
