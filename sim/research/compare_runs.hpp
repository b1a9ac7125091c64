// run_policies: the runs of `craton research compare`, every policy file on every seed, in
// policy-major order (policy 1 seeds 1..K, then policy 2, ...), through a run function
// (run_research in the command, a fake in tests). Promises: each result's PolicyRun names its
// policy by the file's stem and keeps the file's name when the run left them empty or different,
// so the report groups by what the user typed; the first failed run stops the rest and its Error
// names the policy file and seed. Blocks as long as the runs do.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "runtime/result.hpp"
#include "sim/research/run_result.hpp"

namespace craton::research {

/// One run to make: a policy file on the workload with a seed.
struct PolicySeedRun {
  std::string workload_file;
  std::string policy_file;
  std::uint64_t seed = 1;
  std::optional<std::int64_t> duration_ms;  ///< simulated time to stop at; absent: run's own end
};

/// What one run gives back.
struct PolicySeedOutput {
  RunResult result;
  RunCost cost;
};

using RunFunction = std::function<Result<PolicySeedOutput>(const PolicySeedRun&)>;
/// Called after each run, e.g. to print progress.
using RunProgress = std::function<void(const RunResult&, const RunCost&)>;

struct CompareRuns {
  std::vector<RunResult> runs;
  std::vector<RunCost> costs;  ///< costs[i] is the cost of runs[i]
};

/// What every run shares: the workload, the simulated time limit, the seeds.
struct CompareRunOptions {
  std::string workload_file;
  std::vector<std::uint64_t> seeds;
  std::optional<std::int64_t> duration_ms;
};

Result<CompareRuns> run_policies(const std::vector<std::string>& policy_files,
                                 const CompareRunOptions& options, const RunFunction& run,
                                 const RunProgress& progress = {});

}  // namespace craton::research
