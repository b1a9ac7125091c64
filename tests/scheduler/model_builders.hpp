// Small builders of the scheduler's model for the tests: nodes and pods with the fields a case
// sets, everything else empty. Pods get pods = 1 and Kubernetes' non-zero defaults unless the
// case gives cpu or memory (then the non-zero request is the request, as for one container).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "actors/scheduler/framework/node_info.hpp"
#include "actors/scheduler/framework/pod_info.hpp"

namespace craton::scheduler::testing {

inline PodInfo pod_requesting(std::int64_t milli_cpu, std::int64_t memory_bytes,
                              std::string name = "p") {
  PodInfo p;
  p.namespace_ = "default";
  p.name = name;
  p.uid = "uid-" + name;
  p.requests.milli_cpu = milli_cpu;
  p.requests.memory_bytes = memory_bytes;
  p.requests.pods = 1;
  p.non_zero_milli_cpu = milli_cpu ? milli_cpu : kDefaultMilliCpuRequest;
  p.non_zero_memory_bytes = memory_bytes ? memory_bytes : kDefaultMemoryRequestBytes;
  return p;
}

inline NodeInfo node_with(std::string name, std::int64_t milli_cpu, std::int64_t memory_bytes,
                          std::int64_t pods = 110, api::Labels labels = {},
                          std::vector<Taint> taints = {}) {
  Resources allocatable;
  allocatable.milli_cpu = milli_cpu;
  allocatable.memory_bytes = memory_bytes;
  allocatable.pods = pods;
  return NodeInfo(std::move(name), std::move(labels), std::move(taints), false, allocatable);
}

/// Places a pod of the given requests on the node (as the cache would).
inline void place(NodeInfo& node, std::int64_t milli_cpu, std::int64_t memory_bytes) {
  static int count = 0;
  node.add_pod(std::make_shared<PodInfo>(
      pod_requesting(milli_cpu, memory_bytes, "placed-" + std::to_string(++count))));
}

inline std::vector<const NodeInfo*> pointers(const std::vector<NodeInfo>& nodes) {
  std::vector<const NodeInfo*> out;
  for (const auto& n : nodes) out.push_back(&n);
  return out;
}

}  // namespace craton::scheduler::testing
