// log_file.hpp: the rotating segment writer, the line splitter and the log reader.
#include "actors/agent/linux/log_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>

#include "actors/agent/linux/state_files.hpp"

namespace craton::agent::linux_driver {
namespace fs = std::filesystem;

std::vector<LogSegment> list_log_segments(const std::string& dir) {
  std::vector<LogSegment> segments;
  for (const auto& name : directory_entries(dir)) {
    if (name.size() < 5 || name.substr(name.size() - 4) != ".log") continue;
    std::int64_t start = 0;
    auto [end, err] = std::from_chars(name.data(), name.data() + name.size() - 4, start);
    if (err != std::errc{} || end != name.data() + name.size() - 4) continue;
    std::error_code size_ec;
    auto size = fs::file_size(dir + "/" + name, size_ec);
    if (size_ec) continue;  // rotated away meanwhile
    segments.push_back({start, static_cast<std::int64_t>(size), dir + "/" + name});
  }
  std::sort(segments.begin(), segments.end(),
            [](const auto& a, const auto& b) { return a.start_offset < b.start_offset; });
  return segments;
}

RotatingLogWriter::RotatingLogWriter(std::string dir, std::int64_t max_bytes, int max_files)
    : dir_(std::move(dir)), max_bytes_(max_bytes), max_files_(max_files) {}

RotatingLogWriter::RotatingLogWriter(RotatingLogWriter&& other) noexcept
    : dir_(std::move(other.dir_)),
      max_bytes_(other.max_bytes_),
      max_files_(other.max_files_),
      fd_(std::exchange(other.fd_, -1)),
      segment_start_(other.segment_start_),
      segment_size_(other.segment_size_) {}

RotatingLogWriter::~RotatingLogWriter() {
  if (fd_ >= 0) ::close(fd_);
}

Result<RotatingLogWriter> RotatingLogWriter::open(const std::string& dir, std::int64_t max_bytes,
                                                  int max_files) {
  if (max_bytes < 1 || max_files < 0)
    return Error{"invalid", "log_max_bytes must be positive and log_max_files not negative"};
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error{"io", "create " + dir + ": " + ec.message()};
  RotatingLogWriter writer(dir, max_bytes, max_files);
  auto segments = list_log_segments(dir);
  std::int64_t start =
      segments.empty() ? 0 : segments.back().start_offset + segments.back().size_bytes;
  if (auto s = writer.start_segment(start); !s) return s.error();
  return writer;
}

Status RotatingLogWriter::start_segment(std::int64_t start_offset) {
  if (fd_ >= 0) ::close(fd_);
  std::string path = dir_ + "/" + std::to_string(start_offset) + ".log";
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) return Error{"io", "open " + path + ": " + std::strerror(errno)};
  segment_start_ = start_offset;
  segment_size_ = 0;
  auto segments = list_log_segments(dir_);
  // Oldest first; the current segment is the last one and is always kept.
  std::int64_t excess = static_cast<std::int64_t>(segments.size()) - 1 - max_files_;
  for (std::int64_t i = 0; i < excess; ++i) ::unlink(segments[i].path.c_str());
  return Ok{};
}

Status RotatingLogWriter::append(const CriLogRecord& record) {
  std::string line = format_cri_record(record);
  auto size = static_cast<std::int64_t>(line.size());
  if (segment_size_ > 0 && segment_size_ + size > max_bytes_) {
    if (auto s = start_segment(segment_start_ + segment_size_); !s) return s;
  }
  std::size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{"io", std::string("write log: ") + std::strerror(errno)};
    done += static_cast<std::size_t>(n);
  }
  segment_size_ += size;
  return Ok{};
}

std::vector<CriLogRecord> LogLineSplitter::feed(std::string_view bytes, std::int64_t time_ns) {
  std::vector<CriLogRecord> records;
  pending_.append(bytes);
  std::size_t begin = 0;
  while (true) {
    auto newline = pending_.find('\n', begin);
    std::size_t line_end = newline == std::string::npos ? pending_.size() : newline;
    if (line_end - begin >= kLogLinePieceBytesMax) {
      records.push_back({time_ns, stream_, true, pending_.substr(begin, kLogLinePieceBytesMax)});
      begin += kLogLinePieceBytesMax;
      continue;
    }
    if (newline == std::string::npos) break;
    records.push_back({time_ns, stream_, false, pending_.substr(begin, newline - begin)});
    begin = newline + 1;
  }
  pending_.erase(0, begin);
  return records;
}

std::vector<CriLogRecord> LogLineSplitter::finish(std::int64_t time_ns) {
  std::vector<CriLogRecord> records;
  if (!pending_.empty()) records.push_back({time_ns, stream_, false, std::move(pending_)});
  pending_.clear();
  return records;
}

namespace {

/// One line of the container's output, reassembled from its records.
struct LogLine {
  std::int64_t time_ns = 0;
  std::string content;  ///< with its newline when the line was complete
  std::int64_t end_offset = 0;
};

/// Complete lines from `offset` on; `scanned_to` is the offset after the last whole record.
Result<std::vector<LogLine>> read_lines(const std::vector<LogSegment>& segments,
                                        std::int64_t offset, std::int64_t& scanned_to) {
  std::vector<LogLine> lines;
  LogLine building;
  bool has_partial = false;
  scanned_to = offset;
  for (const auto& segment : segments) {
    if (segment.start_offset + segment.size_bytes <= offset) continue;
    auto text = read_file(segment.path, static_cast<std::size_t>(segment.size_bytes) + (1 << 20));
    if (!text) continue;  // rotated away while reading: the next segment continues
    std::int64_t skip = std::max<std::int64_t>(0, offset - segment.start_offset);
    std::string_view rest(text.value());
    rest.remove_prefix(std::min<std::size_t>(rest.size(), static_cast<std::size_t>(skip)));
    std::int64_t position = segment.start_offset + skip;
    while (true) {
      auto newline = rest.find('\n');
      if (newline == std::string_view::npos) break;  // being written: not ours yet
      auto record = parse_cri_record(rest.substr(0, newline));
      position += static_cast<std::int64_t>(newline + 1);
      rest.remove_prefix(newline + 1);
      if (!record) continue;
      if (!has_partial) building = LogLine{record->time_ns, "", 0};
      building.content += record->content;
      has_partial = record->partial;
      if (!has_partial) {
        building.content += '\n';
        building.end_offset = position;
        lines.push_back(std::move(building));
        scanned_to = position;
      }
    }
  }
  return lines;
}

}  // namespace

Result<LogChunk> read_log_dir(const std::string& dir, const LogQuery& query, bool exited) {
  auto segments = list_log_segments(dir);
  LogChunk chunk;
  std::int64_t end =
      segments.empty() ? 0 : segments.back().start_offset + segments.back().size_bytes;
  std::int64_t offset = query.from_offset;
  if (!segments.empty()) offset = std::max(offset, segments.front().start_offset);
  std::int64_t scanned_to = offset;
  auto lines = read_lines(segments, offset, scanned_to);
  if (!lines) return lines.error();
  std::vector<LogLine>& all = lines.value();
  if (query.since_ms) {
    std::int64_t since_ns = *query.since_ms * 1'000'000;
    std::erase_if(all, [since_ns](const LogLine& l) { return l.time_ns < since_ns; });
  }
  std::size_t first = 0;
  if (query.tail_lines && *query.tail_lines >= 0 &&
      static_cast<std::size_t>(*query.tail_lines) < all.size())
    first = all.size() - static_cast<std::size_t>(*query.tail_lines);
  chunk.next_offset = scanned_to;
  for (std::size_t i = first; i < all.size(); ++i) {
    std::string piece = query.timestamps ? format_rfc3339_nano(all[i].time_ns) + " " : "";
    piece += all[i].content;
    if (!chunk.data.empty() &&
        static_cast<std::int64_t>(chunk.data.size() + piece.size()) > query.limit_bytes) {
      chunk.next_offset = all[i - 1].end_offset;
      break;
    }
    chunk.data += piece;
  }
  chunk.finished = exited && chunk.next_offset >= end;
  return chunk;
}

}  // namespace craton::agent::linux_driver
