// The Alibaba GPU cluster trace 2023 importer (cluster-trace-gpu-v2023, the FGD paper's "openb"
// trace): openb_node_list_* (GPU nodes) and openb_pod_list_* (pods with fractional GPUs via
// gpu_milli). Every pod is kept, including the ones the trace never scheduled. The mapping and
// what is lost: docs/research.md.
#pragma once

#include <string>
#include <vector>

#include "sim/workload/import_report.hpp"
#include "sim/workload/workload_sink.hpp"

namespace craton::workload {

struct AlibabaGpu2023Options {
  ImportOptions common;
};

/// The node label that carries a node's GPU model (also the key pods' gpu_models refer to).
inline constexpr const char* kGpuModelLabel = "alibaba.com/gpu-model";

/// Reads the files (names must contain "node_list" or "pod_list"; both required).
Result<ImportReport> import_alibaba_gpu_2023(const std::vector<std::string>& files,
                                             const AlibabaGpu2023Options& options,
                                             WorkloadSink& sink);

/// The priority a pod of this QoS class gets (BE 0, Burstable 1000, LS 2000, Guaranteed 3000);
/// std::nullopt for an unknown class.
std::optional<std::int32_t> priority_of_qos(std::string_view qos);

}  // namespace craton::workload
