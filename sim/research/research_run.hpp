// run_research: one research run, one scheduling policy on one workload and seed on the whole
// simulated cluster, giving a RunResult (run_result.hpp) and what it cost on this host.
//
// THE DECLARATION `craton research compare` EXPECTS (written by the report's helper because the
// run itself, issue 15's `resrun` part, was not on main yet). The real header and definition
// replace this file and research_run_pending.cpp; the command (cmd/research_command.cpp) calls
// only what is declared here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "runtime/result.hpp"
#include "sim/research/run_result.hpp"

namespace craton::research {

struct ResearchRunOptions {
  std::string workload_file;  ///< a workload (sim/workload/workload.hpp), JSON lines
  std::string policy_file;    ///< a KubeSchedulerConfiguration (sim/policies/*.yaml)
  std::uint64_t seed = 1;
  std::optional<std::int64_t> duration_ms;  ///< simulated time to stop at; absent: run's own end
};

struct ResearchRunOutput {
  RunResult result;
  RunCost cost;
};

/// Runs the policy on the workload with the seed; an Error names the input or step that failed.
Result<ResearchRunOutput> run_research(const ResearchRunOptions& options);

}  // namespace craton::research
