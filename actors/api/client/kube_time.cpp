// metav1.Time: RFC 3339 text in UTC.
#include "actors/api/client/kube_time.hpp"

#include <cstdio>
#include <ctime>

namespace craton::api {
namespace {

// Floor division, so -1 ms is 1969-12-31T23:59:59.999.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

}  // namespace

std::optional<std::int64_t> parse_rfc3339(const std::string& time) {
  std::tm tm{};
  const char* end = ::strptime(time.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == nullptr) return std::nullopt;
  return std::int64_t(::timegm(&tm));  // fractions and a "Z" suffix do not change the second
}

std::string format_rfc3339(std::int64_t seconds) {
  std::time_t t = seconds;
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string kube_time(std::int64_t unix_ms) {
  return format_rfc3339(floor_div(unix_ms, 1000));
}

std::string kube_micro_time(std::int64_t unix_ms) {
  std::int64_t s = floor_div(unix_ms, 1000);
  char fraction[16];
  std::snprintf(fraction, sizeof fraction, ".%06lldZ",
                static_cast<long long>((unix_ms - s * 1000) * 1000));
  auto text = format_rfc3339(s);
  text.pop_back();  // the "Z"
  return text + fraction;
}

}  // namespace craton::api
