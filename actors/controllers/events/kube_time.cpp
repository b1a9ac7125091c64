// metav1.Time and metav1.MicroTime text from a millisecond clock.
#include "actors/controllers/events/kube_time.hpp"

#include <cstdio>
#include <ctime>

namespace craton::controllers {
namespace {

// Floor division, so -1 ms is 1969-12-31T23:59:59.999.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

std::string seconds_text(std::int64_t unix_s) {
  std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[80];  // room for any int the compiler cannot rule out
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return out;
}

}  // namespace

std::string kube_time(std::int64_t unix_ms) {
  return seconds_text(floor_div(unix_ms, 1000)) + "Z";
}

std::string kube_micro_time(std::int64_t unix_ms) {
  std::int64_t s = floor_div(unix_ms, 1000);
  char fraction[16];
  std::snprintf(fraction, sizeof fraction, ".%06lldZ",
                static_cast<long long>((unix_ms - s * 1000) * 1000));
  return seconds_text(s) + fraction;
}

}  // namespace craton::controllers
