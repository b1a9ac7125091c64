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
//   delta = F_n'(M) - F_n(M), n' being n with the pod's CPU taken and the pod on the GPU of
//   least delta for a share (the paper's choice of GPU; FGD registers itself as the cycle's
//   GpuChooser so GpuShare's Reserve gives the pod that GPU), on the lowest-indexed fully free
//   GPUs for whole GPUs (all choices are equal then).
// Score: raw = -delta (in milli-GPUs, times 1000 to keep the weights' precision), then
// NormalizeScore maps the raw scores min..max to 0..100, so the least increase scores 100.
// Nodes without GPUs have no fragments: delta 0.
//
// Needs GpuShare in the profile (it supplies each node's per-GPU use) and FGD's own PreScore
// (it registers the GPU choice): without either, Score answers an Error saying so. Per node
// O(distinct GPU requests of the workload * GPUs + types' log), times GPUs for a share; types are
// bounded by kFgdPodTypesMax.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "actors/scheduler/framework/registry.hpp"
#include "actors/scheduler/plugins/gpu_model.hpp"
#include "actors/scheduler/plugins/gpu_share.hpp"
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

/// A workload prepared for scoring: probabilities summing to 1, types grouped by GPU request.
/// Within a group F_n(m) takes only two values (the GPU fragment when m's CPU fits, all free GPU
/// when not), so a group costs one GPU pass and one binary search over its sorted CPU demands,
/// however many types it holds.
struct FgdWorkload {
  struct Group {
    GpuRequest request;
    std::vector<std::int64_t> cpu_milli;   ///< sorted ascending
    std::vector<double> probability_upto;  ///< sum of the probabilities of cpu_milli[0..i]
  };
  std::vector<Group> groups;
};

/// Validates and normalises; Error naming the first bad type.
Result<FgdWorkload> fgd_workload(const FgdArgs& args);

/// F_n(M) of one node (the definitions above).
double node_fragmentation(const NodeGpus& node, const FgdWorkload& workload);

class Fgd final : public PreScorePlugin, public MinMaxNormalizedScore, public GpuChooser {
 public:
  static constexpr std::string_view kName = "FGD";
  static constexpr std::string_view kNeedsGpuShare = "FGD needs the GpuShare plugin in the profile";
  static constexpr std::string_view kNoRoom = "FGD: the pod does not fit the node's GPUs";
  static constexpr std::string_view kNeedsPreScore =
      "FGD must be enabled at preScore too (GpuShare's Reserve takes FGD's GPU choice from it)";

  explicit Fgd(FgdWorkload workload) : workload_(std::move(workload)) {}
  std::string_view name() const override { return kName; }
  /// Registers FGD as the cycle's GpuChooser (GpuShare's Reserve then takes FGD's GPUs).
  Status pre_score(CycleState& state, const PodInfo& pod,
                   std::span<const NodeInfo* const> feasible) override;
  Status score(const CycleState& state, const PodInfo& pod, const NodeInfo& node,
               std::int64_t& score) const override;
  /// A share: of the GPUs with room, the one whose use leaves the least fragmentation (ties:
  /// the lowest index). Whole GPUs: choose_gpus (which GPUs are taken changes no fragment).
  std::optional<GpuMask> choose(const NodeGpus& gpus, const GpuRequest& request,
                                std::int64_t milli_cpu) const override;

 private:
  FgdWorkload workload_;
};

/// Arguments: FgdArgs (required: FGD has no default workload).
Result<std::unique_ptr<Plugin>> make_fgd(const PluginContext& context);

}  // namespace craton::scheduler
