// LeaseReuse: which store lease an expiring write (an Event, under --event-ttl) is put with,
// kube-apiserver's lease manager (apiserver/pkg/storage/etcd3/lease_manager.go). Granting a
// lease is a Raft write of its own, so writes do not take one each: a lease granted for
// ttl + a reuse window serves every later write whose TTL still ends inside its life and no
// more than the window before its end, up to `objects_per_lease_max` writes. An object so put
// may outlive its TTL by at most the window; it never goes before its TTL has passed (measured
// from the moment the grant was asked, on this process's monotonic clock; the store's leader
// decides the real expiry and only ever extends it).
//
// Pure logic: no clock, no store, not thread-safe. The callers (host/store_object_store.hpp,
// the API actor's store) ask reusable(); when it has nothing they grant grant_ttl_s() seconds
// and report the lease with granted(); a put answered "lease_not_found" calls forget().
#pragma once

#include <cstdint>
#include <optional>

namespace craton::api {

struct LeaseReuseOptions {
  /// The reuse window is 5% of the TTL, at most this (kube: 60 s, 0.05).
  std::int64_t reuse_window_s_max = 60;
  std::int64_t reuse_window_percent = 5;
  /// Writes one lease may serve (kube's defaultLeaseMaxObjectCount).
  std::int64_t objects_per_lease_max = 1000;
};

class LeaseReuse {
 public:
  explicit LeaseReuse(LeaseReuseOptions options = {});

  /// The cached lease, if a write of `ttl_s` (> 0) at `now_ms` may be put with it. Every call
  /// counts as one object put with the lease, whether or not the put succeeds (as kube counts).
  std::optional<std::int64_t> reusable(std::int64_t ttl_s, std::int64_t now_ms);
  /// The TTL to grant for a write of `ttl_s`: ttl_s plus the reuse window.
  std::int64_t grant_ttl_s(std::int64_t ttl_s) const;
  /// Lease `id`, granted `granted_ttl_s` (what grant_ttl_s() asked) on a request made at
  /// `asked_ms`, becomes the cached lease, with one object counted.
  void granted(std::int64_t id, std::int64_t granted_ttl_s, std::int64_t asked_ms);
  /// The store no longer has lease `id`: it is not offered again.
  void forget(std::int64_t id);

 private:
  std::int64_t reuse_window_s(std::int64_t ttl_s) const;

  LeaseReuseOptions options_;
  std::int64_t lease_ = 0;  ///< 0: none cached
  std::int64_t expires_ms_ = 0;
  std::int64_t objects_ = 0;  ///< writes counted against lease_
};

}  // namespace craton::api
