// WorkloadWriter: a WorkloadSink that writes a workload file (canonical lines, workload_json.hpp)
// and hashes it as it goes (workload_hash.hpp). It refuses records out of file order
// (WorkloadOrder), so what it writes always reads back. The file appears only when finish()
// succeeds: records go to PATH.tmp, renamed over PATH at the end; a writer dropped before
// finish() removes the temporary file.
#pragma once

#include <cstdio>
#include <string>

#include "sim/workload/workload_hash.hpp"
#include "sim/workload/workload_sink.hpp"

namespace craton::workload {

class WorkloadWriter final : public WorkloadSink {
 public:
  explicit WorkloadWriter(std::string path) : path_(std::move(path)) {}
  ~WorkloadWriter() override;
  WorkloadWriter(const WorkloadWriter&) = delete;
  WorkloadWriter& operator=(const WorkloadWriter&) = delete;

  /// Creates PATH.tmp and writes the header line. Call first, once.
  Status header(const WorkloadHeader& header) override;
  Status add(const WorkloadRecord& record) override;
  /// Flushes, renames into place, and returns the counts and the hash.
  Result<WorkloadSummary> finish();

 private:
  Status write_line(const std::string& line);

  std::string path_;
  std::FILE* file_ = nullptr;
  WorkloadOrder order_;
  WorkloadHasher hasher_;
};

}  // namespace craton::workload
