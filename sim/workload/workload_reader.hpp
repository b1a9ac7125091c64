// WorkloadReader: streams a workload file (JSON lines, workload_json.hpp) one record at a time,
// so files larger than memory can be replayed. Line 1 must be a header of a version this build
// reads; every later line must parse into a record and keep the file order (WorkloadOrder).
// Errors name the file and the line: "w.jsonl:17: Pod: missing field submit_ms".
// Blank lines are skipped. A line longer than kLineBytesMax is refused, not read whole.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/result.hpp"
#include "sim/workload/workload.hpp"
#include "sim/workload/workload_sink.hpp"

namespace craton::workload {

class WorkloadReader {
 public:
  static constexpr std::size_t kLineBytesMax = 1 << 20;
  static constexpr std::size_t kReadBytes = 1 << 16;

  /// Opens the file and reads its header.
  static Result<std::unique_ptr<WorkloadReader>> open(const std::string& path);

  const WorkloadHeader& header() const { return header_; }
  /// The next record, std::nullopt at the end of the file, or the first error (then stop).
  Result<std::optional<WorkloadRecord>> next();
  /// Line number of the record `next` returned last (1 = the header).
  std::int64_t line() const { return line_; }
  /// Counts of the records read so far.
  const WorkloadSummary& counts() const { return order_.counts(); }

 private:
  WorkloadReader(std::string path) : path_(std::move(path)) {}
  Error error_here(const std::string& message) const;
  /// Reads the next non-blank line into line_text_; false at the end of the file.
  Result<bool> read_line();
  /// Appends the rest of the current line to line_text_; false when the file ended first.
  Result<bool> append_to_newline();

  std::string path_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_{nullptr, &std::fclose};
  std::vector<char> buffer_ = std::vector<char>(kReadBytes);
  std::size_t buffer_pos_ = 0;
  std::size_t buffer_end_ = 0;
  std::string line_text_;
  std::int64_t line_ = 0;
  WorkloadHeader header_;
  WorkloadOrder order_;
};

}  // namespace craton::workload
