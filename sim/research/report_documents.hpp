// The text documents of a `craton research compare` report, each a pure function from research
// runs to the bytes of one file (report_files.hpp writes them to DIR; docs/research.md,
// "Comparing policies", documents every field):
//   summary.json, summary.csv         the figures per policy (run_figures.hpp), mean and per seed
//   POLICY/timeseries.csv             every UsageSample of the policy's runs, with their seed
//   POLICY/pods.csv                   every PodOutcome of the policy's runs, with their seed
//   run.json                          what was run: version, workload hash, policies, seeds
//   cost.json                         wall time, RSS and events per run (never compared)
// Promises: the same runs and record give the same bytes (numbers through format_number or
// rounded to 1e-6 before JSON, keys sorted); nothing but cost.json holds a host measurement.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/research/run_figures.hpp"
#include "sim/research/run_result.hpp"

namespace craton::research {

/// What `compare` was asked to do, for run.json; the rest comes from the runs' PolicyRun.
struct CompareRecord {
  std::string command_line;   ///< argv joined by spaces, as typed
  std::string workload_file;  ///< as given
  std::string workload_hash;  ///< "sha256:..." (sim/workload/workload_hash.hpp)
  std::vector<std::uint64_t> seeds;
  std::optional<double> duration_s;  ///< --duration, when given
};

std::string summary_json(const std::vector<PolicySummary>& summaries);
std::string summary_csv(const std::vector<PolicySummary>& summaries);
/// The CSV of `runs` (one policy's, any seeds): columns seed, then UsageSample's fields.
std::string timeseries_csv(const std::vector<const RunResult*>& runs);
/// The CSV of `runs`' pods: seed, name, times (empty when absent), pending_s, node, flags.
std::string pods_csv(const std::vector<const RunResult*>& runs);
std::string run_json(const CompareRecord& record, const std::vector<RunResult>& runs);
/// `costs[i]` belongs to `runs[i]`; extra or missing entries are left out.
std::string cost_json(const std::vector<RunResult>& runs, const std::vector<RunCost>& costs);

/// A CSV field: quoted (with "" for ") when it holds a comma, quote or line break.
std::string csv_field(const std::string& text);

}  // namespace craton::research
