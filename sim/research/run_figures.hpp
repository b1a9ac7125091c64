// RunFigures: the figures of one research run (run_result.hpp) that `craton research compare`
// puts side by side, and PolicySummary: one policy's figures over its seeds (the mean and each
// seed's). Definitions, also in docs/research.md ("Comparing policies"):
// - "End" of a run, for the allocation ratios and the fragmentation, is the last submission:
//   the last UsageSample at or before the latest PodOutcome::submit_s. That is when the whole
//   workload has arrived and allocation says most about a policy (the FGD paper's "cluster
//   full" point); later the cluster only drains. No samples: all zero, and `end_s` is 0.
// - Pending time of a pod is bound_s - submit_s (its first binding), over bound pods only;
//   pods never bound are counted in pods_unschedulable instead. Percentiles are nearest-rank
//   (p99 of 100 values is the 99th smallest); no bound pod: all zero.
// - Makespan is the last instant any pod was bound or finished (seconds since t = 0).
// - Throughput is pods bound per simulated second, from the first submission to the last
//   binding (0 when that span is empty).
// Pure: no I/O, no clock.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/research/run_result.hpp"

namespace craton::research {

struct RunFigures {
  std::uint64_t seed = 0;
  double pods_total = 0;
  double pods_bound = 0;          ///< bound at least once
  double pods_unschedulable = 0;  ///< never bound by the end of the run
  double pods_preempted = 0;      ///< deleted by the scheduler's preemption before finishing
  double pods_evicted = 0;        ///< deleted before finishing otherwise (node removed, evicted)
  double end_s = 0;               ///< the time of the sample the end-of-run ratios come from
  double cpu_allocation_ratio = 0;
  double memory_allocation_ratio = 0;
  double gpu_allocation_ratio = 0;
  double gpu_fragmentation = 0;  ///< GPUs, FGD's measure at end_s
  double pending_p50_s = 0;
  double pending_p90_s = 0;
  double pending_p99_s = 0;
  double pending_max_s = 0;
  double makespan_s = 0;
  double throughput_pods_per_s = 0;
  double run_end_s = 0;  ///< RunResult::end_s: when the simulation stopped
};

/// One figure of RunFigures: its name in summary.json and summary.csv, and where it is.
struct FigureField {
  const char* name;
  double RunFigures::*field;
};
/// Every figure but the seed, in the order of the CSV columns.
const std::vector<FigureField>& figure_fields();

struct PolicySummary {
  std::string policy;
  RunFigures mean;  ///< each figure's mean over the seeds (seed: the first seed)
  std::vector<RunFigures> per_seed;
};

/// The figures of one run (definitions above).
RunFigures figures_of(const RunResult& run);

/// One summary per policy, in order of first appearance in `runs`; each policy's seeds in the
/// order given.
std::vector<PolicySummary> summarize_policies(const std::vector<RunResult>& runs);

/// The nearest-rank percentile `p` (0 < p <= 100) of `values` (any order); 0 when empty.
double nearest_rank(std::vector<double> values, double p);

/// Pending times (bound_s - submit_s) of the run's bound pods, in the pods' order.
std::vector<double> pending_times_s(const RunResult& run);

}  // namespace craton::research
