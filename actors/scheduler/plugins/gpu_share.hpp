// GpuShare: which GPU of a node a GPU pod lands on, so that shares of one GPU (openb's
// gpu_milli < 1000) are checked against a single GPU's remaining milli, not against a sum.
// (NodeResourcesFit still checks the sums of nvidia.com/gpu and craton.io/gpu-milli; GpuShare
// adds the per-GPU check. gpu_model.hpp says how pods ask and nodes advertise.)
//
// - PreFilter: brings the plugin's per-node GPU table up to date (only nodes whose generation
//   changed are derived again), writes GpuCycleData (the pod's GpuRequest and a view of the
//   table) for Filter and for the GPU-aware Score plugins (FGD, GpuPacking, GpuClustering), and
//   answers Skip for a pod without GPU requests (its Filter then does not run).
// - Filter: UnschedulableAndUnresolvable for contradictory GPU requests; Unschedulable when no
//   single GPU has room for the share, or too few GPUs are fully free for whole GPUs. O(GPUs).
// - Reserve records the GPUs choose_gpus picked for the pod on the chosen node (or the GPUs a
//   Score plugin's GpuChooser picks, when one registered itself in the CycleState: FGD does);
//   Unreserve forgets it. The next PreFilter finds the pod on the node (the cache assumed it) and
//   gives it those GPUs.
//
// The table, per node: the generation it was derived at, the per-GPU use, and each GPU pod's
// GPUs. Deriving a node again (deterministic): its pods already in the table keep their GPUs,
// pods Reserve placed take the GPUs recorded, a pod bound with the annotation
// craton.io/gpu-index (by this scheduler or another instance, before a restart) takes the GPUs it
// names, and any other GPU pod is placed by choose_gpus in uid order. A known placement that no
// longer fits (an overcommitted node) falls back to choose_gpus too. So the same pods and
// decisions always give the same table, whatever order the cache lists pods in. A node copy a
// dry run changed (preemption, nominated pods) is derived on the fly from the table's entry,
// without changing the table. Nodes gone from the cluster are dropped when the table holds
// twice as many nodes as the cycle lists.
//
// The choice goes onto the pod: Reserve adds the annotation craton.io/gpu-index ("2", or "0,1"
// for two whole GPUs) to the cycle's binding (binding_annotations.hpp), and pods/binding copies
// it onto the pod as kube's does; the converter reads it back into PodInfo::gpu_index.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/scheduler/framework/registry.hpp"
#include "actors/scheduler/plugins/gpu_model.hpp"

namespace craton::scheduler {

class GpuShare;

/// The pod annotation naming the GPU(s) GpuShare's Reserve chose: indexes on the node, ascending,
/// separated by commas ("2", "0,1").
inline constexpr std::string_view kGpuIndexAnnotation = "craton.io/gpu-index";

/// The annotation's value for `mask` (bit i: GPU i).
std::string gpu_index_text(GpuMask mask);
/// The mask an annotation value names; nullopt for an empty or malformed value (not ascending
/// indexes below kGpusPerNodeMax separated by commas).
std::optional<GpuMask> parse_gpu_index(std::string_view text);
/// Whether `mask` names as many GPUs as `request` takes, each on the node and with room for it.
bool mask_has_room(const NodeGpus& gpus, const GpuRequest& request, GpuMask mask);

/// What GpuShare's PreFilter leaves for this cycle's Filter and Score plugins.
struct GpuCycleData {
  GpuRequest request;
  const GpuShare* gpu_share = nullptr;
};

/// A Score plugin that decides which GPU(s) of a node a pod takes (FGD picks the GPU of least
/// fragmentation) writes a GpuChooserRef into the CycleState at PreScore; GpuShare's Reserve
/// then asks it instead of choose_gpus. It must answer a mask choose_gpus would accept (GPUs
/// with room), or nullopt when the request does not fit.
class GpuChooser {
 public:
  virtual ~GpuChooser() = default;
  virtual std::optional<GpuMask> choose(const NodeGpus& gpus, const GpuRequest& request,
                                        std::int64_t milli_cpu) const = 0;
};

struct GpuChooserRef {
  const GpuChooser* chooser = nullptr;
};

/// One GPU pod's place on its node.
struct GpuPlacement {
  std::string uid;
  GpuRequest request;
  GpuMask mask = 0;  ///< 0: it did not fit (an overcommitted node); it takes no GPU
};

class GpuShare final : public PreFilterPlugin,
                       public PreFilterExtensions,
                       public FilterPlugin,
                       public ReservePlugin,
                       public EnqueueExtensions {
 public:
  static constexpr std::string_view kName = "GpuShare";
  static constexpr std::string_view kInvalid =
      "pod's nvidia.com/gpu and craton.io/gpu-milli requests contradict each other";
  static constexpr std::string_view kNoGpuForShare =
      "node(s) had no single GPU with room for the share";
  static constexpr std::string_view kTooFewFreeGpus = "node(s) had too few fully free GPUs";

  explicit GpuShare(ResourceNames& names) : ids_(GpuResourceIds::intern(names)) {}
  std::string_view name() const override { return kName; }
  std::vector<ClusterEvent> events_to_register() const override {
    return {{EventResource::pod, action::remove},
            {EventResource::node, action::add | action::update_node_allocatable}};
  }
  Status pre_filter(CycleState& state, const PodInfo& pod,
                    std::span<const NodeInfo* const> nodes) override;
  /// The table does not depend on the cycle's pod: a dry run's added or removed pods need no
  /// update of GpuCycleData (Filter derives a changed node copy on the fly).
  const PreFilterExtensions* pre_filter_extensions() const override { return this; }
  Status add_pod(CycleState&, const PodInfo&, const PodInfo&, const NodeInfo&) const override {
    return {};
  }
  Status remove_pod(CycleState&, const PodInfo&, const PodInfo&, const NodeInfo&) const override {
    return {};
  }
  Status filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
  Status reserve(CycleState& state, const PodInfo& pod, std::string_view node) override;
  void unreserve(CycleState& state, const PodInfo& pod, std::string_view node) override;

  /// The node's GPUs as the table has them (derived on the fly when the table's entry is of
  /// another generation). O(GPUs) for a node of the cycle.
  NodeGpus node_gpus(const NodeInfo& node) const;
  /// The GPU pods' places on the node, derived the same way (for tests and explanations).
  std::vector<GpuPlacement> placements(const NodeInfo& node) const;
  const GpuResourceIds& ids() const { return ids_; }

 private:
  struct Entry {
    std::uint64_t generation = 0;
    NodeGpus gpus;
    std::vector<GpuPlacement> placements;  ///< sorted by uid
  };
  struct Reserved {
    std::string node;
    GpuMask mask = 0;
  };
  Entry derive(const NodeInfo& node) const;
  const Entry* current(const NodeInfo& node) const;

  GpuResourceIds ids_;
  std::unordered_map<std::string, Entry> table_;  ///< by node name
  /// The entries by the generation they were derived at: Filter and Score find a node's entry
  /// without hashing its name (generations are unique in the process; a node copy keeps its
  /// source's until it changes). Values point into table_ (its nodes do not move).
  std::unordered_map<std::uint64_t, const Entry*> by_generation_;
  std::map<std::string, Reserved, std::less<>> reserved_;  ///< by pod uid
};

/// No arguments.
Result<std::unique_ptr<Plugin>> make_gpu_share(const PluginContext& context);

/// What a GPU-aware Score plugin reads for one node.
struct GpuScoreInput {
  const GpuCycleData* data = nullptr;  ///< the pod's request, GpuShare's table
  NodeGpus gpus;                       ///< the node's per-GPU use

  /// The pod asks for GPUs (validly) and the node has some: else there is nothing to prefer.
  bool gpu_pod_on_gpu_node() const {
    return !data->request.none() && data->request.valid && gpus.count > 0;
  }
};

/// The input for `node`; the Error Status `missing_reason` when GpuShare is not in the profile
/// (the Score plugins cannot see per-GPU use without it).
Status gpu_score_input(const CycleState& state, const NodeInfo& node,
                       std::string_view missing_reason, GpuScoreInput& out);

}  // namespace craton::scheduler
