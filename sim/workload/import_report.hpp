// What every trace importer shares: its options (strict or lenient about malformed rows, a
// cap on pods) and its report (rows read, rows skipped with file:line reasons). A malformed row
// is skipped and reported by default; with `strict` the import stops at the first one with an
// error naming it, and writes nothing (the caller drops the writer).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/result.hpp"

namespace craton::workload {

struct ImportOptions {
  bool strict = false;
  std::int64_t max_pods = 0;  ///< keep only the first N pods in submit order; 0 = all
};

struct ImportReport {
  static constexpr std::size_t kProblemsKept = 20;  ///< the first ones; `skipped_rows` counts all

  std::int64_t rows_read = 0;         ///< data rows of every input file (header rows not counted)
  std::int64_t skipped_rows = 0;      ///< malformed rows left out
  std::vector<std::string> problems;  ///< "file:line: reason", the first kProblemsKept
  /// max_pods was reached and later pods left out (not counted: the source stops being read,
  /// so that a cap on a huge trace is also a cap on the time taken).
  bool pods_cut = false;

  /// Records a malformed row: an error when strict, else counted and kept for the report.
  Status malformed(const ImportOptions& options, const std::string& path, std::int64_t line,
                   const std::string& reason);

  /// Appends a parsed row to `out`, or records why it is malformed (see `malformed`).
  template <class T>
  Status keep(Result<T> parsed, std::vector<T>& out, const ImportOptions& options,
              const std::string& path, std::int64_t line) {
    if (!parsed) return malformed(options, path, line, parsed.error().message);
    out.push_back(std::move(parsed.value()));
    return Ok{};
  }
};

}  // namespace craton::workload
