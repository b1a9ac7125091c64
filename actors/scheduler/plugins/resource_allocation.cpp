// The resource allocation vector the resource scorers share.
#include "actors/scheduler/plugins/resource_allocation.hpp"

namespace craton::scheduler {

Result<std::vector<ScoredResource>> scored_resources(const std::vector<ResourceSpec>& specs,
                                                     ResourceNames& names) {
  if (specs.empty() || specs.size() > kScoredResourcesMax)
    return Error{"bad_args", "resources: between 1 and " + std::to_string(kScoredResourcesMax) +
                                 " resources, got " + std::to_string(specs.size())};
  std::vector<ScoredResource> out;
  for (const auto& s : specs) {
    if (s.weight < 1 || s.weight > 100)
      return Error{"bad_args", "resource " + s.name + ": weight must be in 1..100, got " +
                                   std::to_string(s.weight)};
    out.push_back({names.intern(s.name), s.weight});
  }
  return out;
}

AllocationVector allocation_with_pod(const PodInfo& pod, const NodeInfo& node,
                                     std::span<const ScoredResource> resources,
                                     bool use_requested) {
  AllocationVector out;
  out.size = resources.size();
  for (std::size_t i = 0; i < resources.size(); ++i) {
    ResourceId id = resources[i].id;
    std::int64_t pod_request = pod.requests.get(id);
    std::int64_t node_requested = node.requested().get(id);
    if (!use_requested && id == kCpu) {
      pod_request = pod.non_zero_milli_cpu;
      node_requested = node.non_zero_milli_cpu();
    } else if (!use_requested && id == kMemory) {
      pod_request = pod.non_zero_memory_bytes;
      node_requested = node.non_zero_memory_bytes();
    }
    if (id >= kFirstExtended && pod_request == 0) continue;  // not asked for: not scored
    std::int64_t allocatable = node.allocatable().get(id);
    if (allocatable == 0) continue;
    out.allocatable[i] = allocatable;
    out.requested[i] = node_requested + pod_request;
  }
  return out;
}

}  // namespace craton::scheduler
