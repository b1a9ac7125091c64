// The runs of `craton research compare` (compare_runs.hpp).
#include "sim/research/compare_runs.hpp"

#include <filesystem>

namespace craton::research {

Result<CompareRuns> run_policies(const std::vector<std::string>& policy_files,
                                 const CompareRunOptions& options, const RunFunction& run,
                                 const RunProgress& progress) {
  CompareRuns out;
  for (const auto& file : policy_files)
    for (auto seed : options.seeds) {
      auto one = run(PolicySeedRun{options.workload_file, file, seed, options.duration_ms});
      if (!one)
        return Error{one.error().code,
                     file + " seed " + std::to_string(seed) + ": " + one.error().message};
      auto& result = one->result;
      result.run.policy = std::filesystem::path(file).stem().string();
      result.run.config_file = file;
      result.run.seed = seed;
      if (progress) progress(result, one->cost);
      out.runs.push_back(std::move(result));
      out.costs.push_back(one->cost);
    }
  return out;
}

}  // namespace craton::research
