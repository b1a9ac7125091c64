// A research run (issue 15): one workload, one scheduling policy, one seed, on the whole
// simulated cluster with the production control plane (research_scenario.hpp), recorded into
// a RunResult (run_result.hpp; research_recorder.hpp says what each figure means).
//
// How a run goes: the control plane starts at simulated 0 and gets start_ms to elect its
// leaders and let the workers register; the workload's t = 0 is then start_ms. The run ends at
// the first of:
// - early stop (run_stop.hpp; on unless early_stop is false): every submitted pod finished, or
//   the rest pending with nothing left to change them (no pod running, nothing left to arrive,
//   no view change for quiet_ms): stopped_by "finished" or "unschedulable";
// - with stop_at_gpu_demand = x: the run submits the pods up to the first whose cumulative GPU
//   request reaches x times the cluster's GPUs (the FGD paper's inflation; a workload that
//   never reaches it is submitted whole, gpu_demand_reached false), and stops once each has been
//   placed or left pending (running pods do not hold it): stopped_by "gpu-demand";
// - `duration_ms` after the workload's start when given ("duration"), else when the last pod
//   would have finished if started at once (last submit + longest duration) plus drain_ms
//   ("drain"). Pods with no duration run until the stop.
//
// NodeEvents are replayed (node_event_replay.hpp): machines join, leave (their Node deleted)
// and fail at their times. Durations keep their milliseconds (the FakeDriver's `sleep` takes
// fractional seconds).
//
// Deterministic: the same workload, policy file content and seed give an equal RunResult.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/result.hpp"
#include "sim/research/run_result.hpp"
#include "sim/workload/workload.hpp"

namespace craton::research {

/// A whole workload in memory.
struct ResearchWorkload {
  workload::WorkloadHeader header;
  std::vector<workload::Node> nodes;
  std::vector<workload::Pod> pods;
  std::vector<workload::NodeEvent> node_events;
  std::string hash;  ///< "sha256:..." when read from a file; may be empty
};

/// Reads a workload file (workload_reader.hpp) and its hash. Errors name the file and line.
Result<ResearchWorkload> read_research_workload(const std::string& path);

struct ResearchRunOptions {
  std::int64_t start_ms = 20'000;  ///< control plane's head start (simulated)
  std::int64_t sample_period_ms = 10'000;
  /// Stop this long after the workload's start; absent: last submit + longest duration +
  /// drain_ms.
  std::optional<std::int64_t> duration_ms;
  std::int64_t drain_ms = 60'000;
  std::string namespace_ = "default";
  std::string craton_version;
  /// Bound on the world's steps (runaway guard, WorldConfig::steps_max).
  std::uint64_t steps_max = 2'000'000'000;
  /// End as soon as nothing can change any more (run_stop.hpp).
  bool early_stop = true;
  /// How long pending pods must stay unchanged before the early stop counts them unschedulable.
  std::int64_t quiet_ms = 15'000;
  /// The FGD paper's stop: arrived GPU demand reaches this fraction of the GPUs (1.0 = 100%).
  std::optional<double> stop_at_gpu_demand;
  /// How often the run looks at the pods (the recorder's and the stop's view of them): 0 = after
  /// every change (exact times). A view lists every pod, so per change it costs O(pods) and a
  /// run O(pods x changes); a period > 0 (at least the auditor's 200 ms tick) bounds that, and
  /// a pod's bound, Running and finished times are then the first view at or after them (late
  /// by up to the period): pending times grow by up to it, allocation samples do not change.
  std::int64_t view_every_ms = 0;
};

struct RunOutcome {
  RunResult result;
  RunCost cost;
  /// "finished", "unschedulable", "gpu-demand" (early stops), "duration" (the cap given) or
  /// "drain" (the computed end); also in result.stopped_by.
  std::string stopped_by;
  std::int64_t pods_submitted = 0;  ///< all of the workload's, or up to the demand stop's cut
  bool gpu_demand_reached = false;  ///< with stop_at_gpu_demand: the workload reached it
  std::int64_t node_events_replayed = 0;
  std::int64_t node_events_ignored = 0;     ///< soft errors, no-ops, past the end
  std::vector<std::string> store_failures;  ///< the store checker's findings (expected none)
  /// Creates the API refused for good ("NAME: CODE REASON: MESSAGE"; expected none): such a
  /// pod never exists and counts as unschedulable in the result.
  std::vector<std::string> refusals;
};

/// Runs `workload` with the KubeSchedulerConfiguration in `policy_file`. Errors: the policy
/// file unreadable or invalid, a workload without nodes, a pod that cannot be encoded, a node
/// event about an unknown node, stop_at_gpu_demand not positive or a cluster without GPUs.
Result<RunOutcome> run_research(const ResearchWorkload& workload, const std::string& policy_file,
                                std::uint64_t seed, const ResearchRunOptions& options = {});

}  // namespace craton::research
