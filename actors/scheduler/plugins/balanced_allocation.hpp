// NodeResourcesBalancedAllocation, as Kubernetes' plugin of that name: favours nodes whose
// resources end up equally used once the pod is added. Per configured resource (default cpu and
// memory; weights are not used) the fraction requested / allocatable (capped at 1, actual
// requests, no non-zero defaults); score = (1 - standard deviation of the fractions) * 100,
// with the two-resource case |f1 - f2| / 2. PreScore skips pods that request none of them.
#pragma once

#include <memory>
#include <vector>

#include "actors/scheduler/framework/registry.hpp"
#include "actors/scheduler/plugins/resource_allocation.hpp"

namespace craton::scheduler {

struct BalancedAllocationArgs {
  std::vector<ResourceSpec> resources = {{"cpu", 1}, {"memory", 1}};
};

class BalancedAllocation final : public PreScorePlugin, public ScorePlugin {
 public:
  static constexpr std::string_view kName = "NodeResourcesBalancedAllocation";
  explicit BalancedAllocation(std::vector<ScoredResource> resources)
      : resources_(std::move(resources)) {}
  std::string_view name() const override { return kName; }
  Status pre_score(CycleState& state, const PodInfo& pod,
                   std::span<const NodeInfo* const> feasible) override;
  Status score(const CycleState& state, const PodInfo& pod, const NodeInfo& node,
               std::int64_t& score) const override;

 private:
  std::vector<ScoredResource> resources_;
};

/// Arguments: a BalancedAllocationArgs in the profile, or none for the defaults.
Result<std::unique_ptr<Plugin>> make_balanced_allocation(const PluginContext& context);

}  // namespace craton::scheduler
