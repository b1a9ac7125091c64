// A smaller (or fuller) workload from a bigger one, for experiments a whole trace makes too slow:
// a seeded sample of its nodes and pods, the FGD paper's inflation of the pods until their GPU
// demand reaches the sampled cluster's GPUs, and pacing (arrivals only, one pod every P ms).
// `craton research sample` writes the result as a workload file (docs/research.md, "Comparing
// policies"). Pure: records in, records to a sink; the same input and options give the same
// records.
//
// - Nodes: round(node_fraction x N) of them (at least 1), drawn without replacement, kept in
//   the input's order; node events about nodes left out are dropped.
// - Pods: round(pod_fraction x P) (at least 1 when P > 0), drawn without replacement, kept in
//   submit order. Pods asking GPU models no sampled node has stay in (they are the trace's).
// - inflate_gpu_demand = x: while the pods' summed GPU request (num_gpu x gpu_milli) is below x
//   times the sampled nodes' GPUs, a pod drawn (with replacement) from the sampled ones is
//   appended as "<name>-i<k>" at the last pod's submit time (Weng et al., ATC '23, section 6:
//   "we inflate the workload ... until the arrived GPU demand exceeds the cluster capacity").
// - pace_ms = P: pod i arrives at i x P and has no duration (runs until the run's stop); node
//   events are dropped: the paper's cluster only fills, nothing leaves.
// The header keeps the source and files, says generator "craton research sample" and adds the
// options to its parameters.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "runtime/result.hpp"
#include "sim/workload/workload.hpp"
#include "sim/workload/workload_sink.hpp"

namespace craton::workload {

struct SampleOptions {
  double node_fraction = 1.0;  ///< (0, 1]
  double pod_fraction = 1.0;   ///< (0, 1]
  std::uint64_t seed = 1;
  std::optional<double> inflate_gpu_demand;  ///< > 0; 1.0 = the sampled nodes' GPUs
  std::optional<std::int64_t> pace_ms;       ///< >= 0
};

/// Limits: inflation never makes more than kSampleInflatedPodsMax pods.
inline constexpr std::size_t kSampleInflatedPodsMax = 1'000'000;

/// The sample of (header, nodes, pods, events), written to `sink`. Errors: a fraction outside
/// (0, 1], a negative pace, inflation with no GPU pods or no GPUs, or past the limit.
Status sample_workload(const WorkloadHeader& header, const std::vector<Node>& nodes,
                       const std::vector<Pod>& pods, const std::vector<NodeEvent>& events,
                       const SampleOptions& options, WorkloadSink& sink);

}  // namespace craton::workload
