// What NodeResourcesFit's score strategies and NodeResourcesBalancedAllocation share
// (Kubernetes' resourceAllocationScorer): the configured resources as ids with weights, and per
// node the allocatable and the requested amount of each once the pod is added. Requested uses
// Kubernetes' non-zero defaults for cpu and memory (100m, 200Mi per container without a
// request) unless `use_requested` (BalancedAllocation counts actual requests). An extended
// resource the pod does not ask for, and a resource the node does not have, are left out (0).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "actors/scheduler/framework/node_info.hpp"
#include "actors/scheduler/framework/pod_info.hpp"
#include "actors/scheduler/framework/registry.hpp"

namespace craton::scheduler {

/// Kubernetes' config.ResourceSpec: a resource name and its weight in the score.
struct ResourceSpec {
  std::string name;
  std::int64_t weight = 1;
};

inline constexpr std::size_t kScoredResourcesMax = 8;

struct ScoredResource {
  ResourceId id = 0;
  std::int64_t weight = 1;
};

/// Resolves names to ids; an Error for none, too many, a weight outside 1..100.
Result<std::vector<ScoredResource>> scored_resources(const std::vector<ResourceSpec>& specs,
                                                     ResourceNames& names);

/// Per configured resource (same order), allocatable and requested-with-the-pod; 0/0 for one
/// left out. No allocation: fixed arrays.
struct AllocationVector {
  std::array<std::int64_t, kScoredResourcesMax> allocatable{};
  std::array<std::int64_t, kScoredResourcesMax> requested{};
  std::size_t size = 0;
};
AllocationVector allocation_with_pod(const PodInfo& pod, const NodeInfo& node,
                                     std::span<const ScoredResource> resources, bool use_requested);

}  // namespace craton::scheduler
