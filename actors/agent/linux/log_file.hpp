// A container attempt's log: CRI records (cri_log.hpp) in size-rotated segment files, and the
// reader behind PodDriver::read_log.
//
// Each attempt has its own directory; every segment is named after the logical byte offset its
// first byte has in the attempt's whole log ("0.log", "10485760.log", ...), so an offset the
// reader handed out stays valid across rotations: it names the same byte until that byte's
// segment is deleted, and then reading resumes at the oldest byte still kept. The writer (the
// shim) starts a new segment before a record would push the current one past max_bytes and
// keeps at most max_files segments besides the current one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "actors/agent/driver/pod_driver.hpp"
#include "actors/agent/linux/cri_log.hpp"
#include "runtime/result.hpp"

namespace craton::agent::linux_driver {

/// One segment file of an attempt's log.
struct LogSegment {
  std::int64_t start_offset = 0;
  std::int64_t size_bytes = 0;
  std::string path;
};

/// The attempt's segments, oldest first; empty when the directory is missing.
std::vector<LogSegment> list_log_segments(const std::string& dir);

/// Appends records to an attempt's log, rotating by size. Owned by one process (the shim).
class RotatingLogWriter {
 public:
  /// Creates `dir` if needed; max_bytes >= 1, max_files >= 0 (rotated segments kept).
  static Result<RotatingLogWriter> open(const std::string& dir, std::int64_t max_bytes,
                                        int max_files);
  RotatingLogWriter(RotatingLogWriter&& other) noexcept;
  RotatingLogWriter& operator=(RotatingLogWriter&&) = delete;
  ~RotatingLogWriter();

  Status append(const CriLogRecord& record);

 private:
  RotatingLogWriter(std::string dir, std::int64_t max_bytes, int max_files);
  Status start_segment(std::int64_t start_offset);

  std::string dir_;
  std::int64_t max_bytes_;
  int max_files_;
  int fd_ = -1;
  std::int64_t segment_start_ = 0;
  std::int64_t segment_size_ = 0;
};

/// Cuts one stream's bytes into CRI records: a record per line, lines longer than
/// kLogLinePieceBytesMax cut into "P" pieces; what is left at end of stream is a last "F".
class LogLineSplitter {
 public:
  explicit LogLineSplitter(std::string stream) : stream_(std::move(stream)) {}
  /// The records completed by `bytes`, stamped `time_ns`.
  std::vector<CriLogRecord> feed(std::string_view bytes, std::int64_t time_ns);
  /// The unterminated rest, if any, as a final record.
  std::vector<CriLogRecord> finish(std::int64_t time_ns);

 private:
  std::string stream_;
  std::string pending_;
};

/// Reads an attempt's log per `query` (tail, since, timestamps, from_offset, limit_bytes).
/// `exited`: the attempt is over, so reading everything means finished.
Result<LogChunk> read_log_dir(const std::string& dir, const LogQuery& query, bool exited);

}  // namespace craton::agent::linux_driver
