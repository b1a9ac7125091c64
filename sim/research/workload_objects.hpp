// How a research workload's records become what the production cluster takes: a workload Node
// becomes a node agent's NodeConfig and HostFacts (the agent registers the Node itself), a
// workload Pod becomes the Kubernetes Pod the submitter creates through the API. Pure: no CAF,
// no clock.
//
// Promises (docs/research.md "GPU sharing" and "Research runs"):
// - a node's allocatable is exactly the record's capacity: no reservation, no eviction
//   threshold (the trace's machines are what the scheduler may fill); CPU is whole cores
//   (capacity rounded down to a core: the agent's HostFacts count cores);
// - a node with G GPUs advertises nvidia.com/gpu = G and craton.io/gpu-milli = 1000*G as
//   extended resources, and carries the label kGpuModelLabel = its gpu_model; the record's
//   own extended resources are advertised as given;
// - a pod asks for its requests and limits; GPUs as the GPU plugins read them: a share
//   (num_gpu 1, gpu_milli < 1000) as craton.io/gpu-milli: m, k whole GPUs as nvidia.com/gpu: k
//   and craton.io/gpu-milli: 1000*k, in requests and limits alike (extended resources cannot
//   be overcommitted); gpu_models as a required node affinity on kGpuModelLabel;
//   restartPolicy Never; a priority other than 0 as the priorityClassName of the class
//   priority_class_json_of makes for it (Kubernetes' Priority admission refuses a pod that sets
//   spec.priority itself; the run creates the classes before the pods); one container whose command
//   makes the FakeDriver run for duration_ms to the millisecond ("sleep N" or "sleep N.mmm"), or
//   until the run ends (no duration: "sleep-forever", which the FakeDriver runs until signalled);
// - owner_job becomes the label kJobLabel; distinct_nodes_in_job becomes a required pod
//   anti-affinity on that label over kubernetes.io/hostname.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "actors/agent/core/node_status.hpp"
#include "sim/workload/workload.hpp"

namespace craton::research {

/// The Node label naming a node's GPU model; pods' gpu_models select on it.
inline constexpr std::string_view kGpuModelLabel = "craton.io/gpu-model";
/// The Pod label naming the workload job a pod belongs to.
inline constexpr std::string_view kJobLabel = "craton.io/workload-job";

/// What the agent of a workload node registers: its name, labels, taints, extended resources.
agent::NodeConfig node_config_of(const workload::Node& node);
/// The simulated host of a workload node: its capacity as the host's figures.
agent::HostFacts host_facts_of(const workload::Node& node, const std::string& internal_ip);

/// The PriorityClass a workload pod of `priority` (not 0) names: "craton-workload-priority-N"
/// ("...-minus-N" below 0).
std::string priority_class_name(std::int32_t priority);
/// That PriorityClass (scheduling.k8s.io/v1) with `value` = priority, as Kubernetes JSON; its
/// preemptionPolicy is Kubernetes' default (whether a policy preempts is its profile's choice:
/// the DefaultPreemption PostFilter plugin).
nlohmann::json priority_class_json_of(std::int32_t priority);

/// The Pod to create for a workload pod in `namespace_`, as Kubernetes JSON.
nlohmann::json pod_json_of(const workload::Pod& pod, const std::string& namespace_);

}  // namespace craton::research
