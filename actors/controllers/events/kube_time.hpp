// The two time texts Kubernetes writes, made from a millisecond clock: metav1.Time (RFC 3339
// in UTC to the second: Event first/lastTimestamp) and metav1.MicroTime (to the microsecond:
// Lease acquireTime/renewTime). The controllers cannot use the API server's own formatter
// (components share no headers), and these two are all they write. Pure; times before 1970
// format correctly too (a skewed simulated clock may read negative).
#pragma once

#include <cstdint>
#include <string>

namespace craton::controllers {

/// "2026-12-05T07:00:00Z": whole seconds, the milliseconds dropped (rounded down).
std::string kube_time(std::int64_t unix_ms);
/// "2026-12-05T07:00:00.123000Z": six fraction digits, as Kubernetes writes MicroTime.
std::string kube_micro_time(std::int64_t unix_ms);

}  // namespace craton::controllers
