// Structured logging: one line per record, logfmt style
//   t=<ms> level=info node=n1 actor=detector msg="peer n3 suspected"
// Actors log through their environment, which stamps the actor clock's time (simulated time
// in the simulator). Sinks are owned by the process or the simulated world and outlive actors.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace craton {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };

std::string_view to_string(LogLevel level);

struct LogRecord {
  LogLevel level;
  std::int64_t time_ms;  ///< actor clock time (simulated in the simulator)
  std::string_view node;
  std::string_view actor;
  std::string_view message;
};

/// "t=12 level=info node=n1 actor=a msg=\"...\"" (quotes and backslashes escaped).
std::string format_log_line(const LogRecord& record);

/// Where log records go. Thread-safe: production actors log from several threads.
class LogSink {
 public:
  explicit LogSink(LogLevel min_level = LogLevel::info) : min_level_(min_level) {}
  virtual ~LogSink() = default;
  bool enabled(LogLevel level) const { return level >= min_level_; }
  void write(const LogRecord& record);

 protected:
  virtual void write_line(const std::string& line) = 0;

 private:
  LogLevel min_level_;
  std::mutex mutex_;
};

/// Writes lines to stderr.
class StderrSink : public LogSink {
 public:
  using LogSink::LogSink;

 protected:
  void write_line(const std::string& line) override;
};

/// Keeps the last `lines_max` lines in memory (simulator, tests).
class MemorySink : public LogSink {
 public:
  explicit MemorySink(LogLevel min_level = LogLevel::info, std::size_t lines_max = 10000)
      : LogSink(min_level), lines_max_(lines_max) {}
  std::vector<std::string> lines() const { return lines_; }

 protected:
  void write_line(const std::string& line) override;

 private:
  std::size_t lines_max_;
  std::vector<std::string> lines_;
};

/// Lets one event per key through per interval, e.g. "log malformed input once per peer per
/// second". Holds at most `keys_max` keys; when full, the stalest keys are forgotten.
class RateLimiter {
 public:
  explicit RateLimiter(std::int64_t interval_ms = 1000, std::size_t keys_max = 1024)
      : interval_ms_(interval_ms), keys_max_(keys_max) {}
  /// True if an event for `key` at `now_ms` should be let through.
  bool allow(const std::string& key, std::int64_t now_ms);

 private:
  std::int64_t interval_ms_;
  std::size_t keys_max_;
  std::map<std::string, std::int64_t> last_ms_;
};

}  // namespace craton
