#include "runtime/logger.hpp"

#include <iostream>

namespace craton {

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warn:
      return "warn";
    case LogLevel::error:
      return "error";
  }
  return "unknown";
}

std::string format_log_line(const LogRecord& r) {
  std::string line = "t=" + std::to_string(r.time_ms) +
                     " level=" + std::string(to_string(r.level)) + " node=" + std::string(r.node) +
                     " actor=" + std::string(r.actor) + " msg=\"";
  for (char c : r.message) {
    if (c == '"' || c == '\\') line += '\\';
    line += (c == '\n') ? ' ' : c;
  }
  line += '"';
  return line;
}

void LogSink::write(const LogRecord& record) {
  if (!enabled(record.level)) return;
  auto line = format_log_line(record);
  std::lock_guard<std::mutex> lock(mutex_);
  write_line(line);
}

void StderrSink::write_line(const std::string& line) {
  std::cerr << line << '\n';
}

void MemorySink::write_line(const std::string& line) {
  if (lines_.size() >= lines_max_) lines_.erase(lines_.begin());
  lines_.push_back(line);
}

bool RateLimiter::allow(const std::string& key, std::int64_t now_ms) {
  auto it = last_ms_.find(key);
  if (it != last_ms_.end()) {
    if (now_ms - it->second < interval_ms_) return false;
    it->second = now_ms;
    return true;
  }
  if (last_ms_.size() >= keys_max_) {
    auto stalest = last_ms_.begin();
    for (auto i = last_ms_.begin(); i != last_ms_.end(); ++i)
      if (i->second < stalest->second) stalest = i;
    last_ms_.erase(stalest);
  }
  last_ms_.emplace(key, now_ms);
  return true;
}

}  // namespace craton
