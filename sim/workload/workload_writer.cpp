// WorkloadWriter: canonical lines to PATH.tmp, hashed, renamed at the end (workload_writer.hpp).
#include "sim/workload/workload_writer.hpp"

#include <cerrno>
#include <cstring>

#include "runtime/assert.hpp"
#include "sim/workload/workload_json.hpp"

namespace craton::workload {

WorkloadWriter::~WorkloadWriter() {
  if (!file_) return;
  std::fclose(file_);
  std::remove((path_ + ".tmp").c_str());
}

Status WorkloadWriter::write_line(const std::string& line) {
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() ||
      std::fputc('\n', file_) == EOF)
    return Error{"io", "cannot write " + path_ + ".tmp: " + std::strerror(errno)};
  return Ok{};
}

Status WorkloadWriter::header(const WorkloadHeader& header) {
  CRATON_ASSERT(file_ == nullptr, "WorkloadWriter::header called twice");
  file_ = std::fopen((path_ + ".tmp").c_str(), "wb");
  if (!file_) return Error{"io", "cannot create " + path_ + ".tmp: " + std::strerror(errno)};
  return write_line(header_to_json(header).dump());
}

Status WorkloadWriter::add(const WorkloadRecord& record) {
  CRATON_ASSERT(file_ != nullptr, "WorkloadWriter::add before header");
  auto order = order_.check(record);
  if (!order) return order;
  auto line = canonical_line(record);
  hasher_.add_line(line);
  return write_line(line);
}

Result<WorkloadSummary> WorkloadWriter::finish() {
  CRATON_ASSERT(file_ != nullptr, "WorkloadWriter::finish before header");
  std::string tmp = path_ + ".tmp";
  bool flushed = std::fflush(file_) == 0;
  bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!flushed || !closed || std::rename(tmp.c_str(), path_.c_str()) != 0) {
    std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    return Error{"io", "cannot write " + path_ + ": " + why};
  }
  WorkloadSummary summary = order_.counts();
  summary.hash = hasher_.finish();
  return summary;
}

}  // namespace craton::workload
