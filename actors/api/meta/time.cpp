// Kubernetes' durations: printed as HumanDuration, parsed as Go's time.ParseDuration (whole
// seconds only).
#include "actors/api/meta/time.hpp"

#include <cctype>

namespace craton::api {
namespace {

std::string str(std::int64_t n) {
  return std::to_string(n);
}

Error bad_duration(std::string_view text, const std::string& why) {
  return Error{"bad_duration", "'" + std::string(text) + "' is not a duration: " + why};
}

}  // namespace

Result<std::int64_t> parse_duration_seconds(std::string_view text) {
  if (text == "0") return std::int64_t{0};
  if (text.empty()) return bad_duration(text, "expected a duration like 1h, 30m or 90s");
  std::int64_t total = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    std::int64_t n = 0;
    std::size_t digits = 0;
    for (; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])); ++at, ++digits) {
      n = n * 10 + (text[at] - '0');
      if (n > kDurationSecondsMax) return bad_duration(text, "longer than ten years");
    }
    if (digits == 0 || at == text.size())
      return bad_duration(text, "expected a number and a unit (h, m or s), like 1h30m");
    std::int64_t unit = text[at] == 'h' ? 3600 : text[at] == 'm' ? 60 : text[at] == 's' ? 1 : 0;
    // "ms", "us", "ns" and fractions are Go durations too, but a TTL is whole seconds.
    if (unit == 0 || (text[at] == 'm' && at + 1 < text.size() && text[at + 1] == 's'))
      return bad_duration(text, "units are h, m and s (whole seconds)");
    ++at;
    total += n * unit;
    if (total > kDurationSecondsMax) return bad_duration(text, "longer than ten years");
  }
  return total;
}

std::string human_duration(std::int64_t seconds) {
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return str(seconds) + "s";
  auto minutes = seconds / 60;
  if (minutes < 10) return str(minutes) + "m" + (seconds % 60 ? str(seconds % 60) + "s" : "");
  if (minutes < 180) return str(minutes) + "m";
  auto hours = minutes / 60;
  if (hours < 8) return str(hours) + "h" + (minutes % 60 ? str(minutes % 60) + "m" : "");
  if (hours < 48) return str(hours) + "h";
  if (hours < 24 * 8) return str(hours / 24) + "d" + (hours % 24 ? str(hours % 24) + "h" : "");
  if (hours < 24 * 365 * 2) return str(hours / 24) + "d";
  auto days = hours / 24;
  if (hours < 24 * 365 * 8)
    return str(days / 365) + "y" + (days % 365 ? str(days % 365) + "d" : "");
  return str(days / 365) + "y";
}

}  // namespace craton::api
