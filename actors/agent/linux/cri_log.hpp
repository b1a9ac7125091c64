// The CRI container log format the kubelet reads (containerd and CRI-O write it):
//   2024-01-02T15:04:05.123456789Z stdout F a whole line
// one record a line: an RFC 3339 timestamp with nanoseconds, the stream, a tag ("F" for a
// full line, "P" for a piece of a line longer than the writer's buffer) and the bytes the
// container wrote without their newline. Pure functions; the writer and reader are in
// log_file.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/result.hpp"

namespace craton::agent::linux_driver {

/// Longest piece of a line one record carries; longer lines become "P" records (as
/// containerd's 16 KiB buffer does).
inline constexpr std::size_t kLogLinePieceBytesMax = 16 * 1024;

struct CriLogRecord {
  std::int64_t time_ns = 0;  ///< wall clock, nanoseconds since the epoch
  std::string stream;        ///< "stdout" or "stderr"
  bool partial = false;      ///< "P": the line continues in the next record
  std::string content;       ///< without the newline
};

/// "2024-01-02T15:04:05.123456789Z" (always nine fraction digits, UTC, as kubelet writes it).
std::string format_rfc3339_nano(std::int64_t time_ns);
/// Parses format_rfc3339_nano's output (any 1-9 fraction digits, "Z" only).
Result<std::int64_t> parse_rfc3339_nano(std::string_view text);

/// One record, newline included.
std::string format_cri_record(const CriLogRecord& record);
/// One record without its newline; a malformed line is an error naming what is wrong.
Result<CriLogRecord> parse_cri_record(std::string_view line);

}  // namespace craton::agent::linux_driver
