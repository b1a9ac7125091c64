// metav1.Time: RFC 3339 text in UTC.
#include "actors/api/client/kube_time.hpp"

#include <ctime>

namespace craton::api {

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

}  // namespace craton::api
