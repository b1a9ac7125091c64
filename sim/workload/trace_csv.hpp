// TraceCsv: reads a trace's CSV file line by line, gzip or plain alike (zlib's gzread passes
// uncompressed files through), and splits rows on commas. The traces we import quote nothing,
// so a field never holds a comma; a line longer than kLineBytesMax is an error, not a
// truncation. Line numbers count from 1 as an editor shows them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/result.hpp"
#include "sim/workload/import_report.hpp"

namespace craton::workload {

class TraceCsv {
 public:
  static constexpr std::size_t kLineBytesMax = 64 * 1024;

  static Result<std::unique_ptr<TraceCsv>> open(const std::string& path);
  ~TraceCsv();
  TraceCsv(const TraceCsv&) = delete;
  TraceCsv& operator=(const TraceCsv&) = delete;

  /// The next row's fields (views into an internal buffer, valid until the next call),
  /// std::nullopt at the end, or an error (a read failure, an over-long line).
  Result<std::optional<std::vector<std::string_view>>> next_row();
  std::int64_t line() const { return line_; }
  const std::string& path() const { return path_; }

 private:
  TraceCsv(std::string path, void* gz) : path_(std::move(path)), gz_(gz) {}

  std::string path_;
  void* gz_;  // gzFile; kept opaque so zlib.h stays out of this header
  std::string text_;
  std::int64_t line_ = 0;
};

using CsvRow = std::vector<std::string_view>;

/// Calls `on_row(fields, line)` for each data row of the file, counting them in
/// report.rows_read; a first line that `is_header` accepts is skipped (null: no header row).
/// Stops at the first error of reading or of `on_row`.
Status read_trace_rows(const std::string& path, const std::function<bool(const CsvRow&)>& is_header,
                       const std::function<Status(const CsvRow&, std::int64_t line)>& on_row,
                       ImportReport& report);

/// Parses a whole field as a number; std::nullopt when empty or not entirely a number.
std::optional<std::int64_t> parse_int(std::string_view field);
std::optional<double> parse_double(std::string_view field);

}  // namespace craton::workload
