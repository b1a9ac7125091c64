// FGD: Fragmentation Gradient Descent as a Score plugin (Weng et al., "Beware of Fragmentation:
// Scheduling GPU-Sharing Workloads with Fragmentation Gradient Descent", USENIX ATC '23).
//
// The paper's definitions, as implemented here (GPU amounts in milli-GPUs):
// - Target workload M: the pod types a cluster expects, each m with a CPU demand, a GPU demand
//   (none, a share of one GPU, or k whole GPUs) and a popularity p_m (the weights, normalised to
//   sum 1). It is the plugin's argument (FgdArgs), or learned from a workload's pods by
//   pod_types_from_pods (identical shapes counted).
// - Fragment of node n for one type m, F_n(m): the unallocated GPU capacity of n that m cannot
//   use. If m cannot run on n at all (too little CPU left, no GPU with room for its share, too
//   few fully free GPUs, or m asks for no GPU), every unallocated milli of n is a fragment.
//   Otherwise a GPU is a fragment for m when its free milli is below what m needs of one GPU
//   (its share, or 1000 for whole GPUs): F_n(m) is the sum of those GPUs' free milli.
// - Node fragmentation against the workload: F_n(M) = sum over m of p_m * F_n(m) (the expected
//   fragment when the next pod is drawn from M).
// - FGD places a pod where the fragmentation grows least: for each feasible node, the increase
//   delta = F_n'(M) - F_n(M), n' being n with the pod placed on the GPUs GpuShare would give it
//   (choose_gpus: the fullest GPU with room for a share; the paper picks the GPU of least delta,
//   which for a share is nearly always the same one), and the pod's CPU taken.
// Score: raw = -delta (in milli-GPUs, times 1000 to keep the weights' precision), then
// NormalizeScore maps the raw scores min..max to 0..100, so the least increase scores 100.
// Nodes without GPUs have no fragments: delta 0.
//
// Needs GpuShare in the profile (it supplies each node's per-GPU use): without it Score answers
// an Error naming it. Per node O(types * GPUs); types are bounded by kFgdPodTypesMax.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "actors/scheduler/framework/registry.hpp"
#include "actors/scheduler/plugins/gpu_model.hpp"
#include "actors/scheduler/plugins/score_normalization.hpp"

namespace craton::scheduler {

inline constexpr std::size_t kFgdPodTypesMax = 256;

/// One pod type of the target workload, in the openb trace's terms: num_gpu = 0 and gpu_milli
/// = 0 (CPU only), num_gpu = 1 and gpu_milli 1..999 (a share), or num_gpu = k >= 1 and
/// gpu_milli = 1000 (k whole GPUs).
struct FgdPodType {
  std::int64_t cpu_milli = 0;
  std::int32_t num_gpu = 0;
  std::int32_t gpu_milli = 0;
  double weight = 1;  ///< popularity; > 0, normalised over the list
  bool operator==(const FgdPodType&) const = default;
};

struct FgdArgs {
  std::vector<FgdPodType> pod_types;
};

/// The type's GPU request in the model's terms; nullopt when the fields are not one of the
/// three shapes above (or cpu/weight are out of range).
std::optional<GpuRequest> fgd_type_request(const FgdPodType& type);

/// The pod types of a workload: identical (cpu_milli, num_gpu, gpu_milli) counted into one type
/// whose weight is the count; the most frequent kFgdPodTypesMax kept (ties in field order).
/// Error for a pod shape that is none of the three.
Result<std::vector<FgdPodType>> pod_types_from_pods(std::span<const FgdPodType> pods);

/// A workload prepared for scoring: requests resolved, weights summing to 1.
struct FgdWorkload {
  struct Type {
    std::int64_t cpu_milli = 0;
    GpuRequest request;
    double probability = 0;
  };
  std::vector<Type> types;
};

/// Validates and normalises; Error naming the first bad type.
Result<FgdWorkload> fgd_workload(const FgdArgs& args);

/// F_n(M) of one node (the definitions above).
double node_fragmentation(const NodeGpus& node, const FgdWorkload& workload);

class Fgd final : public MinMaxNormalizedScore {
 public:
  static constexpr std::string_view kName = "FGD";
  static constexpr std::string_view kNeedsGpuShare = "FGD needs the GpuShare plugin in the profile";
  static constexpr std::string_view kNoRoom = "FGD: the pod does not fit the node's GPUs";

  explicit Fgd(FgdWorkload workload) : workload_(std::move(workload)) {}
  std::string_view name() const override { return kName; }
  Status score(const CycleState& state, const PodInfo& pod, const NodeInfo& node,
               std::int64_t& score) const override;

 private:
  FgdWorkload workload_;
};

/// Arguments: FgdArgs (required: FGD has no default workload).
Result<std::unique_ptr<Plugin>> make_fgd(const PluginContext& context);

}  // namespace craton::scheduler
