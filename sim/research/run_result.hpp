// What one research run produces: one scheduling policy, one workload, one seed, run on the
// whole simulated cluster (sim/research/research_run.hpp), and nothing else. The report
// (sim/research/report_*.hpp) turns a set of these into summary.json, CSV files, SVG charts
// and the HTML page of `craton research compare`; it reads only this struct, so the two sides
// meet here.
//
// Everything here is simulated time and deterministic for a seed (the same inputs give equal
// structs, field for field), except RunCost, which is measured on the host and kept apart so
// that files compared for determinism never contain it.
//
// Times are seconds since the workload's start (t = 0 is the first instant a pod may be
// submitted), as doubles with millisecond resolution.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace craton::research {

/// Which policy ran, exactly: enough to run it again.
struct PolicyRun {
  std::string policy;         ///< its name: the profile file's stem ("fgd", "least-allocated")
  std::string config_file;    ///< the KubeSchedulerConfiguration file as given
  std::string config_text;    ///< that file's content, as read
  std::uint64_t seed = 0;     ///< the simulation's seed
  std::string workload_hash;  ///< "sha256:..." of the workload (sim/workload/workload_hash.hpp)
  std::string craton_version;
};

/// The cluster at one instant, sampled at a fixed simulated period. Ratios are of the
/// cluster's allocatable total (0 when the cluster has none of that resource).
struct UsageSample {
  double t_s = 0;
  double cpu_allocation = 0;  ///< requests of pods bound and not finished / allocatable
  double memory_allocation = 0;
  double gpu_allocation = 0;  ///< GPUs in use (shares counted by their milli-GPU) / GPUs
  /// FGD's fragmentation measure (Weng et al., ATC '23, section 3): GPUs that the workload's
  /// pod shapes cannot use, expected over the shapes' popularity, summed over nodes; in GPUs.
  double gpu_fragmentation = 0;
  std::int64_t pods_pending = 0;   ///< submitted, not bound
  std::int64_t pods_running = 0;   ///< bound, not finished
  std::int64_t pods_finished = 0;  ///< succeeded or failed
  /// GPU requests of the pods submitted so far / GPUs (the FGD paper's "arrived workload").
  double gpu_demand_arrived = 0;
};

/// One pod of the workload and what happened to it. Absent times did not happen in the run.
struct PodOutcome {
  std::string name;
  double submit_s = 0;
  std::optional<double> bound_s;     ///< binding seen by the API (the first, if preempted)
  std::optional<double> running_s;   ///< phase Running
  std::optional<double> finished_s;  ///< phase Succeeded or Failed
  std::string node;                  ///< the node it was (last) bound to
  bool preempted = false;            ///< deleted by the scheduler's preemption
  bool evicted = false;        ///< deleted before it finished otherwise (its node removed, evicted)
  bool unschedulable = false;  ///< never bound by the end of the run
};

/// A whole run.
struct RunResult {
  PolicyRun run;
  std::vector<UsageSample> samples;  ///< in time order, one per sample period
  std::vector<PodOutcome> pods;      ///< in the workload's order
  double end_s = 0;                  ///< simulated time when the run stopped
  /// Why: "finished", "unschedulable", "gpu-demand", "duration" or "drain" (research_run.hpp).
  std::string stopped_by;
  std::uint64_t trace_hash = 0;  ///< the world's trace hash (same seed, same hash)
};

/// What the run cost on this host: wall time and memory. Never part of determinism checks.
struct RunCost {
  double wall_s = 0;
  std::int64_t peak_rss_bytes = 0;
  std::int64_t events = 0;  ///< world events processed
};

}  // namespace craton::research
