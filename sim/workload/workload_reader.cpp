// WorkloadReader: line reading, header and record parsing (workload_reader.hpp).
#include "sim/workload/workload_reader.hpp"

#include <cstring>

#include <nlohmann/json.hpp>

#include "sim/workload/workload_json.hpp"

namespace craton::workload {

Result<std::unique_ptr<WorkloadReader>> WorkloadReader::open(const std::string& path) {
  std::unique_ptr<WorkloadReader> reader(new WorkloadReader(path));
  reader->file_.reset(std::fopen(path.c_str(), "rb"));
  if (!reader->file_) return Error{"not_found", "cannot open workload " + path};
  auto more = reader->read_line();
  if (!more) return more.error();
  if (!*more) return reader->error_here("empty file: no Workload header");
  auto j = nlohmann::json::parse(reader->line_text_, nullptr, false);
  if (j.is_discarded()) return reader->error_here("the header is not JSON");
  auto header = header_from_json(j);
  if (!header)
    return Error{header.error().code, reader->error_here(header.error().message).message};
  reader->header_ = std::move(*header);
  return reader;
}

Error WorkloadReader::error_here(const std::string& message) const {
  return Error{"malformed", path_ + ":" + std::to_string(line_) + ": " + message};
}

Result<bool> WorkloadReader::append_to_newline() {
  for (;;) {
    if (buffer_pos_ == buffer_end_) {
      buffer_pos_ = 0;
      buffer_end_ = std::fread(buffer_.data(), 1, buffer_.size(), file_.get());
      if (buffer_end_ == 0) {
        if (std::ferror(file_.get())) return error_here("read error");
        return false;
      }
    }
    const char* start = buffer_.data() + buffer_pos_;
    auto* newline = static_cast<const char*>(std::memchr(start, '\n', buffer_end_ - buffer_pos_));
    std::size_t take =
        newline ? static_cast<std::size_t>(newline - start) : buffer_end_ - buffer_pos_;
    if (line_text_.size() + take > kLineBytesMax) {
      ++line_;
      return error_here("line longer than " + std::to_string(kLineBytesMax) + " bytes");
    }
    line_text_.append(start, take);
    buffer_pos_ += take + (newline ? 1 : 0);
    if (newline) return true;
  }
}

Result<bool> WorkloadReader::read_line() {
  for (;;) {
    line_text_.clear();
    auto complete = append_to_newline();
    if (!complete) return complete.error();
    if (!*complete && line_text_.empty()) return false;
    ++line_;
    if (line_text_.find_first_not_of(" \t\r") != std::string::npos) return true;
  }
}

Result<std::optional<WorkloadRecord>> WorkloadReader::next() {
  auto more = read_line();
  if (!more) return more.error();
  if (!*more) return std::optional<WorkloadRecord>{};
  auto j = nlohmann::json::parse(line_text_, nullptr, false);
  if (j.is_discarded()) return error_here("not a JSON object");
  auto record = record_from_json(j);
  if (!record) return error_here(record.error().message);
  auto order = order_.check(*record);
  if (!order) return error_here(order.error().message);
  return std::optional<WorkloadRecord>{std::move(*record)};
}

}  // namespace craton::workload
