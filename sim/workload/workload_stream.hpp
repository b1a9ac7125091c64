// What every workload producer does last: hand a sink the header, the nodes, then pods and node
// events merged in time order (events first on a tie: a machine added at t can take a pod
// submitted at t), keeping at most ImportOptions::max_pods pods. Pods come from a PodSource so
// that an importer can expand them lazily (an Alibaba 2017 task becomes thousands of pods).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/workload/import_report.hpp"
#include "sim/workload/workload_sink.hpp"

namespace craton::workload {

/// Yields pods in non-decreasing submit_ms, then std::nullopt.
using PodSource = std::function<std::optional<Pod>()>;

/// A PodSource over a vector the caller sorted by submit_ms; it moves the pods out.
PodSource pods_from(std::vector<Pod>& pods);

/// Sorts pods by submit_ms, keeping the input order among equal times.
void sort_by_submit_time(std::vector<Pod>& pods);
void sort_by_time(std::vector<NodeEvent>& events);

Status stream_workload(WorkloadSink& sink, const WorkloadHeader& header,
                       const std::vector<Node>& nodes, const std::vector<NodeEvent>& events,
                       const PodSource& pods, const ImportOptions& options, ImportReport& report);

/// Machine size for traces that normalise resources to their largest machine (1.0 = this).
struct MachineSize {
  std::int64_t cpu_milli = 0;
  std::int64_t memory_bytes = 0;
  std::int64_t ephemeral_storage_bytes = 0;
};

/// A usage error unless `nodes` and the machine's CPU and memory are positive.
Status check_generated_nodes(std::int64_t nodes, const MachineSize& machine,
                             std::string_view format);

/// `count` identical nodes named node-00000, node-00001, ... (for traces without machines).
std::vector<Node> uniform_nodes(std::int64_t count, const MachineSize& size);

/// round(fraction * whole), for normalised trace values.
std::int64_t scaled(double fraction, std::int64_t whole);

/// The input files whose path contains `role` ("task_events"), in name order. Files matching no
/// role of `roles` are an error naming them, and so is a role listed in `required` with no file.
struct TraceFileRoles {
  std::vector<std::vector<std::string>> by_role;  ///< parallel to the roles asked for
};
Result<TraceFileRoles> sort_trace_files(const std::vector<std::string>& files,
                                        const std::vector<std::string>& roles,
                                        const std::vector<bool>& required,
                                        const std::string& format);

/// The header every importer writes: `source` (the format's name), generator "craton research
/// import", the input files' base names, and the parameter every import has (max_pods); the
/// importer adds the parameters of its own mapping.
WorkloadHeader import_header(std::string source, const std::vector<std::string>& files,
                             const ImportOptions& options);

}  // namespace craton::workload
