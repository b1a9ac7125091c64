// ImportReport::malformed (import_report.hpp).
#include "sim/workload/import_report.hpp"

namespace craton::workload {

Status ImportReport::malformed(const ImportOptions& options, const std::string& path,
                               std::int64_t line, const std::string& reason) {
  std::string where = path + ":" + std::to_string(line) + ": " + reason;
  if (options.strict) return Error{"malformed", where + " (--strict)"};
  ++skipped_rows;
  if (problems.size() < kProblemsKept) problems.push_back(std::move(where));
  return Ok{};
}

}  // namespace craton::workload
