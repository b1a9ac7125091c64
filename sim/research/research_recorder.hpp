// The research run's recorder: turns what the cluster's pods auditor saw (PodsView
// observations of the whole run, sim/cluster/cluster_clients.hpp) into a RunResult's samples and
// pod outcomes. Pure: no CAF, no clock; the same history gives the same result.
//
// What it promises:
// - a pod's bound_s is the first view showing it with a node, running_s the first with phase
//   Running, finished_s the first with Succeeded or Failed; node is the last node seen;
//   preempted: it vanished from the views (deleted) before finishing, and the last view that
//   showed it showed the scheduler's mark (DisruptionTarget, PreemptionByScheduler); evicted:
//   it vanished so without the mark (the pod GC after its node went, an eviction; the research
//   run deletes nothing itself). With a view period (view_every_ms) a victim marked and
//   deleted between two views counts as evicted. unschedulable: never bound;
// - one UsageSample every sample_period_ms from the workload's start to the end: the view in
//   force at that instant; allocation ratios of the workload nodes' allocatable (their
//   capacity: workload_objects.hpp); GPU use in milli as the GPU plugins count it;
// - gpu_fragmentation: FGD's node_fragmentation (actors/scheduler/plugins/fgd.hpp) against the
//   workload's own pod shapes, summed over nodes, in GPUs. Which GPU of a node a pod holds is
//   read from the pod's craton.io/gpu-index annotation (GpuShare's Reserve writes it, the pods
//   auditor reports it); a pod without one (or one that does not fit) is placed after the
//   annotated ones, in bound order, with choose_gpus (GpuShare's rule for a pod it never saw).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/result.hpp"
#include "sim/research/run_result.hpp"
#include "sim/workload/workload.hpp"
#include "sim/world/run_history.hpp"

namespace craton::research {

struct RecorderInput {
  const std::vector<workload::Node>* nodes = nullptr;
  const std::vector<workload::Pod>* pods = nullptr;
  std::string namespace_ = "default";
  std::int64_t start_ms = 0;  ///< simulated time of the workload's t = 0
  std::int64_t end_ms = 0;    ///< simulated time the run stopped
  std::int64_t sample_period_ms = 10'000;
};

/// Samples and outcomes from the PodsView observations in `history` (the other fields of the
/// RunResult are the caller's). Error when the workload's pod shapes are not GPU shapes FGD
/// reads (a pod asking 2 GPUs of 500 milli, say).
Result<RunResult> record_run(const sim::RunHistory& history, const RecorderInput& input);

}  // namespace craton::research
