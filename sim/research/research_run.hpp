// A research run (issue 15): one workload, one scheduling policy, one seed, on the whole
// simulated cluster with the production control plane (research_scenario.hpp), recorded into
// a RunResult (run_result.hpp; research_recorder.hpp says what each figure means).
//
// How a run goes: the control plane starts at simulated 0 and gets start_ms to elect its
// leaders and let the workers register; the workload's t = 0 is then start_ms. The run stops
// at a fixed simulated time (the world has no early stop): `duration_ms` after the workload's
// start when given, else when the last pod would have finished if started at once
// (last submit + longest duration) plus drain_ms. Pods with no duration run until the stop.
//
// Left out: NodeEvents (a workload's node additions and removals are not replayed; the run
// counts them in RunOutcome::node_events_ignored), durations below a second (the FakeDriver
// sleeps whole seconds: durations round up).
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
};

struct RunOutcome {
  RunResult result;
  RunCost cost;
  std::string stopped_by;  ///< "duration" (the cap given) or "drain" (the computed end)
  std::int64_t node_events_ignored = 0;
  std::vector<std::string> store_failures;  ///< the store checker's findings (expected none)
};

/// Runs `workload` with the KubeSchedulerConfiguration in `policy_file`. Errors: the policy
/// file unreadable or invalid, a workload without nodes, a pod that cannot be encoded.
Result<RunOutcome> run_research(const ResearchWorkload& workload, const std::string& policy_file,
                                std::uint64_t seed, const ResearchRunOptions& options = {});

}  // namespace craton::research
