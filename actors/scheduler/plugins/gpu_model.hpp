// The GPU model the GPU-aware plugins share (GpuShare, FGD, GpuPacking, GpuClustering).
//
// What a pod asks for:
//   - whole GPUs: `nvidia.com/gpu: k` (k >= 1), optionally with `craton.io/gpu-milli: 1000*k`
//     (recommended: then the milli sums NodeResourcesFit checks count every GPU in use);
//   - a share of ONE GPU (Alibaba's openb trace: num_gpu = 1, gpu_milli < 1000):
//     `craton.io/gpu-milli: m` with 1 <= m <= 999, and no nvidia.com/gpu;
//   - `craton.io/gpu-milli: 1000*k` alone is k whole GPUs. Any other combination (milli above
//     1000 not a multiple of it, or disagreeing with nvidia.com/gpu) is invalid: no node fits.
// What a node has: `nvidia.com/gpu: G` allocatable GPUs (and `craton.io/gpu-milli: 1000*G`),
// each of kMilliPerGpu milli; at most kGpusPerNodeMax GPUs are modelled per node (a node with
// more is treated as having kGpusPerNodeMax: a limit, explicit, so NodeGpus never allocates).
//
// NodeGpus is one node's per-GPU use: how many milli of each GPU are taken, and the node's free
// milli-CPU (FGD asks whether a pod type's CPU still fits). Which GPU(s) a request takes is
// `choose_gpus`: a share goes to the fullest GPU that still has room (best fit inside the node,
// ties to the lowest index), whole GPUs to the lowest-indexed fully free ones. Every function
// here is O(GPUs of the node), allocation-free and deterministic.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "actors/scheduler/framework/node_info.hpp"
#include "actors/scheduler/framework/pod_info.hpp"
#include "actors/scheduler/framework/resources.hpp"

namespace craton::scheduler {

inline constexpr std::string_view kGpuResource = "nvidia.com/gpu";
inline constexpr std::string_view kGpuMilliResource = "craton.io/gpu-milli";
inline constexpr std::int32_t kMilliPerGpu = 1000;
inline constexpr std::size_t kGpusPerNodeMax = 16;

/// The interned ids of the two GPU resources (ResourceNames::intern at plugin creation).
struct GpuResourceIds {
  ResourceId gpus = 0;
  ResourceId milli = 0;
  static GpuResourceIds intern(ResourceNames& names);
};

/// A pod's GPU request: none, `whole` full GPUs, or a share of `milli` on one GPU.
struct GpuRequest {
  std::int32_t whole = 0;  ///< full GPUs (0 for a share or no GPU)
  std::int32_t milli = 0;  ///< 1..999 for a share; 0 otherwise
  bool valid = true;       ///< false: the pod's GPU requests contradict each other

  bool none() const { return valid && whole == 0 && milli == 0; }
  bool share() const { return valid && whole == 0 && milli > 0; }
  /// The milli taken from each GPU it lands on (a share's milli, or 1000 per whole GPU).
  std::int32_t milli_per_gpu() const { return whole > 0 ? kMilliPerGpu : milli; }
  /// Total milli-GPUs asked for.
  std::int64_t total_milli() const { return std::int64_t{whole} * kMilliPerGpu + milli; }
  bool operator==(const GpuRequest&) const = default;
};

/// The request read from the pod's resources (see the header comment for the rules).
GpuRequest gpu_request_of(const Resources& requests, const GpuResourceIds& ids);

/// Which GPUs a request landed on: bit i set means GPU i.
using GpuMask = std::uint32_t;

/// One node's GPUs and free CPU.
struct NodeGpus {
  std::int32_t count = 0;                            ///< GPUs modelled (<= kGpusPerNodeMax)
  std::array<std::int32_t, kGpusPerNodeMax> used{};  ///< milli taken per GPU, 0..1000
  std::int64_t free_milli_cpu = 0;                   ///< allocatable - requested

  std::int32_t free_of(std::int32_t gpu) const { return kMilliPerGpu - used[gpu]; }
  std::int64_t free_milli_total() const;
  std::int32_t fully_free() const;
  std::int32_t partly_used() const;  ///< GPUs with 0 < used < 1000
  /// Takes `request` on the GPUs in `mask` (and its CPU); no check.
  void take(const GpuRequest& request, GpuMask mask, std::int64_t milli_cpu);
};

/// The node's GPU count and free CPU, with every GPU unused (the caller adds its pods).
NodeGpus empty_node_gpus(const NodeInfo& node, const GpuResourceIds& ids);

/// The GPUs `request` would take on `gpus` (the rule in the header comment), or nullopt when it
/// does not fit. A request with no GPU fits with an empty mask. CPU is not looked at.
std::optional<GpuMask> choose_gpus(const NodeGpus& gpus, const GpuRequest& request);

}  // namespace craton::scheduler
