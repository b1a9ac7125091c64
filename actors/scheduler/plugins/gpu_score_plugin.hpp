// GpuScorePlugin: what the FGD paper's baseline Score plugins (GpuPacking, GpuClustering) share:
// they read GpuShare's per-GPU table from the CycleState (an Error naming GpuShare when it is
// not in the profile), score 0 for a pod without GPU requests or a node without GPUs, take no
// arguments, and differ only in how they score a GPU pod on a GPU node (gpu_score).
#pragma once

#include <memory>
#include <string>

#include "actors/scheduler/framework/registry.hpp"
#include "actors/scheduler/plugins/gpu_share.hpp"

namespace craton::scheduler {

class GpuScorePlugin : public ScorePlugin {
 public:
  Status score(const CycleState& state, const PodInfo&, const NodeInfo& node,
               std::int64_t& score) const final {
    GpuScoreInput in;
    if (Status s = gpu_score_input(state, node, needs_gpu_share(), in); !s.is_success()) return s;
    score = in.gpu_pod_on_gpu_node() ? gpu_score(in, node) : 0;
    return {};
  }

 protected:
  /// The reason of the Error without GpuShare (a literal: it outlives the cycle).
  virtual std::string_view needs_gpu_share() const = 0;
  /// The score of a GPU pod (in.data->request) on a node with GPUs (in.gpus), 0..100.
  virtual std::int64_t gpu_score(const GpuScoreInput& in, const NodeInfo& node) const = 0;
};

/// The factory of such a plugin: `P` takes no arguments.
template <class P>
Result<std::unique_ptr<Plugin>> make_gpu_score_plugin(const PluginContext& context) {
  if (context.args) return Error{"bad_args", std::string(P::kName) + " takes no arguments"};
  return std::unique_ptr<Plugin>(new P());
}

}  // namespace craton::scheduler
