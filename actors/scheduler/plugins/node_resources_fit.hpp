// NodeResourcesFit, as Kubernetes' plugin of that name:
// - Filter: the node must have room for one more pod ("Too many pods") and, for every resource
//   the pod requests, allocatable - requested >= the request ("Insufficient cpu",
//   "Insufficient memory", "Insufficient ephemeral-storage", "Insufficient nvidia.com/gpu");
//   every shortfall is a reason of the one Unschedulable status. cpu, memory and ephemeral
//   storage are only checked when requested (> 0); ignored resources are not checked.
// - Score, one strategy (NodeResourcesFitArgs.scoring_strategy), over the configured resources
//   with their weights (default cpu and memory, weight 1), requests with non-zero defaults:
//     LeastAllocated:  per resource (allocatable - requested) * 100 / allocatable (0 when over)
//     MostAllocated:   per resource min(requested, allocatable) * 100 / allocatable
//     RequestedToCapacityRatio: per resource the broken-linear shape at
//       utilization = requested * 100 / allocatable, shape scores 0..10 scaled to 0..100,
//       resources scoring 0 left out of the weighted mean, which is rounded
//   then the weighted mean (integer division for the first two).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "actors/scheduler/framework/registry.hpp"
#include "actors/scheduler/plugins/resource_allocation.hpp"

namespace craton::scheduler {

enum class ScoringStrategyType { least_allocated, most_allocated, requested_to_capacity_ratio };

/// Kubernetes' UtilizationShapePoint: utilization 0..100, score 0..10.
struct UtilizationShapePoint {
  std::int32_t utilization = 0;
  std::int32_t score = 0;
};

/// Kubernetes' NodeResourcesFitArgs (the parts this plugin reads).
struct NodeResourcesFitArgs {
  std::vector<std::string> ignored_resources;
  ScoringStrategyType scoring_strategy = ScoringStrategyType::least_allocated;
  std::vector<ResourceSpec> resources = {{"cpu", 1}, {"memory", 1}};
  std::vector<UtilizationShapePoint> shape;  ///< RequestedToCapacityRatio only, increasing
};

inline constexpr std::size_t kShapePointsMax = 16;

class NodeResourcesFit final : public FilterPlugin, public ScorePlugin, public EnqueueExtensions {
 public:
  static constexpr std::string_view kName = "NodeResourcesFit";
  static constexpr std::string_view kTooManyPods = "Too many pods";

  static Result<std::unique_ptr<NodeResourcesFit>> create(const NodeResourcesFitArgs& args,
                                                          ResourceNames& names);
  std::string_view name() const override { return kName; }
  /// Kube 1.32 (queueing hints on): a pod deleted frees its requests; a node added or whose
  /// allocatable changed may have room. Labels and taints do not change what fits.
  std::vector<ClusterEvent> events_to_register() const override {
    return {{EventResource::pod, action::remove},
            {EventResource::node, action::add | action::update_node_allocatable}};
  }
  Status filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
  Status score(const CycleState& state, const PodInfo& pod, const NodeInfo& node,
               std::int64_t& score) const override;

 private:
  NodeResourcesFit(ResourceNames& names) : names_(names) {}
  std::int64_t least_allocated(const AllocationVector& v) const;
  std::int64_t most_allocated(const AllocationVector& v) const;
  std::int64_t requested_to_capacity_ratio(const AllocationVector& v) const;
  std::int64_t shape_score(std::int64_t utilization) const;

  ResourceNames& names_;
  std::vector<ResourceId> ignored_;
  ScoringStrategyType strategy_ = ScoringStrategyType::least_allocated;
  std::vector<ScoredResource> resources_;
  std::vector<UtilizationShapePoint> shape_;  ///< scores scaled to 0..100
};

/// Arguments: a NodeResourcesFitArgs in the profile, or none for the defaults.
Result<std::unique_ptr<Plugin>> make_node_resources_fit(const PluginContext& context);

}  // namespace craton::scheduler
