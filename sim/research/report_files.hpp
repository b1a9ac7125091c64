// write_report: a `craton research compare` report on disk, from research runs (the files of
// report_documents.hpp, the charts of report_charts.hpp under DIR/charts/, index.html).
// Promises: a policy's name becomes a folder only when it is a plain name (letters, digits,
// '-', '_', '.', not starting with '.'); the same inputs write the same bytes in every file but
// cost.json. Errors are values: "usage" for a bad DIR or policy name, "io" when a file cannot be
// written (the message names it). Blocks on files.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "runtime/result.hpp"
#include "sim/research/report_documents.hpp"
#include "sim/research/run_result.hpp"

namespace craton::research {

/// Whether the report may be written into DIR: absent or an empty folder, or a non-empty one
/// with `force` (the report's files are then overwritten, other files left as they are).
/// Changes nothing: write_report creates DIR, so a comparison that fails leaves no folder.
Status check_report_dir(const std::filesystem::path& dir, bool force);

/// A policy name that is safe as a folder name (see the header comment), else an Error.
Status check_policy_name(const std::string& policy);

/// Writes every file of the report into `dir` (checked by check_report_dir; created if absent).
/// `costs[i]` is the cost of `runs[i]`.
Status write_report(const std::filesystem::path& dir, const std::vector<RunResult>& runs,
                    const std::vector<RunCost>& costs, const CompareRecord& record);

}  // namespace craton::research
