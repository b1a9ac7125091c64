// cri_log.hpp: formatting and parsing CRI log records and their timestamps.
#include "actors/agent/linux/cri_log.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace craton::agent::linux_driver {
namespace {

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;

bool parse_int(std::string_view text, int& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

}  // namespace

std::string format_rfc3339_nano(std::int64_t time_ns) {
  std::int64_t seconds = time_ns / kNanosPerSecond;
  std::int64_t nanos = time_ns % kNanosPerSecond;
  if (nanos < 0) {
    nanos += kNanosPerSecond;
    seconds -= 1;
  }
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(nanos));
  return buf;
}

Result<std::int64_t> parse_rfc3339_nano(std::string_view text) {
  Error bad{"malformed", "bad log timestamp '" + std::string(text) + "'"};
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text.back() != 'Z')
    return bad;
  std::tm tm{};
  int fields[6];
  const std::size_t starts[6] = {0, 5, 8, 11, 14, 17};
  const std::size_t lengths[6] = {4, 2, 2, 2, 2, 2};
  for (int i = 0; i < 6; ++i) {
    if (!parse_int(text.substr(starts[i], lengths[i]), fields[i])) return bad;
  }
  tm.tm_year = fields[0] - 1900;
  tm.tm_mon = fields[1] - 1;
  tm.tm_mday = fields[2];
  tm.tm_hour = fields[3];
  tm.tm_min = fields[4];
  tm.tm_sec = fields[5];
  std::int64_t nanos = 0;
  std::string_view rest = text.substr(19, text.size() - 20);
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() < 2 || rest.size() > 10) return bad;
    for (char c : rest.substr(1)) {
      if (c < '0' || c > '9') return bad;
      nanos = nanos * 10 + (c - '0');
    }
    for (std::size_t digits = rest.size() - 1; digits < 9; ++digits) nanos *= 10;
  }
  return static_cast<std::int64_t>(timegm(&tm)) * kNanosPerSecond + nanos;
}

std::string format_cri_record(const CriLogRecord& record) {
  std::string line = format_rfc3339_nano(record.time_ns);
  line += ' ';
  line += record.stream;
  line += record.partial ? " P " : " F ";
  line += record.content;
  line += '\n';
  return line;
}

Result<CriLogRecord> parse_cri_record(std::string_view line) {
  auto first = line.find(' ');
  auto second = first == std::string_view::npos ? first : line.find(' ', first + 1);
  auto third = second == std::string_view::npos ? second : line.find(' ', second + 1);
  if (third == std::string_view::npos)
    return Error{"malformed", "log line has fewer than four fields"};
  auto time = parse_rfc3339_nano(line.substr(0, first));
  if (!time) return time.error();
  CriLogRecord record;
  record.time_ns = time.value();
  record.stream = std::string(line.substr(first + 1, second - first - 1));
  if (record.stream != "stdout" && record.stream != "stderr")
    return Error{"malformed", "log line's stream is '" + record.stream + "'"};
  std::string_view tag = line.substr(second + 1, third - second - 1);
  if (tag != "F" && tag != "P") return Error{"malformed", "log line's tag is not F or P"};
  record.partial = tag == "P";
  record.content = std::string(line.substr(third + 1));
  return record;
}

}  // namespace craton::agent::linux_driver
