// LeaseReuse: kube-apiserver's rule for sharing one store lease between expiring writes.
#include "actors/api/server/lease_reuse.hpp"

#include <algorithm>

#include "runtime/assert.hpp"

namespace craton::api {

LeaseReuse::LeaseReuse(LeaseReuseOptions options) : options_(options) {
  CRATON_ASSERT(options_.reuse_window_s_max >= 0 && options_.reuse_window_percent >= 0 &&
                    options_.objects_per_lease_max > 0,
                "lease reuse limits must not be negative");
}

std::int64_t LeaseReuse::reuse_window_s(std::int64_t ttl_s) const {
  return std::min(options_.reuse_window_s_max, ttl_s * options_.reuse_window_percent / 100);
}

std::int64_t LeaseReuse::grant_ttl_s(std::int64_t ttl_s) const {
  CRATON_ASSERT(ttl_s > 0, "only a write with a TTL needs a lease");
  return ttl_s + reuse_window_s(ttl_s);
}

std::optional<std::int64_t> LeaseReuse::reusable(std::int64_t ttl_s, std::int64_t now_ms) {
  CRATON_ASSERT(ttl_s > 0, "only a write with a TTL needs a lease");
  if (lease_ == 0) return std::nullopt;
  // The object's TTL must end before the lease does (valid), but no more than the reuse
  // window before it (sufficient: the object is not kept much past its TTL). At the very
  // millisecond of the grant it is sufficient (kube's strict "after" meets nanoseconds).
  std::int64_t ends_ms = now_ms + ttl_s * 1000;
  bool valid = ends_ms < expires_ms_;
  bool sufficient = ends_ms + reuse_window_s(ttl_s) * 1000 >= expires_ms_;
  ++objects_;
  if (valid && sufficient && objects_ <= options_.objects_per_lease_max) return lease_;
  return std::nullopt;
}

void LeaseReuse::granted(std::int64_t id, std::int64_t granted_ttl_s, std::int64_t asked_ms) {
  CRATON_ASSERT(id != 0 && granted_ttl_s > 0, "a granted lease has an id and a TTL");
  lease_ = id;
  expires_ms_ = asked_ms + granted_ttl_s * 1000;
  objects_ = 1;
}

void LeaseReuse::forget(std::int64_t id) {
  if (id == lease_) lease_ = 0;
}

}  // namespace craton::api
