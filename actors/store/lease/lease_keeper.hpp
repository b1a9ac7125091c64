// LeaseKeeper: the leader's lease expiry decisions, in the manner of etcd's lessor. A pure
// logic core: no clock (time comes in as `now_ms`, the leader's monotonic/logical time in
// milliseconds), no I/O besides reading the MvccStore for attached keys.
//
// Division of labour (etcd's):
// - The MvccStore holds the replicated truth: which leases exist, their granted TTL, the keys
//   attached to each. Grants and revokes go through the Raft log.
// - The keeper holds what is not replicated: each lease's expiry time on this replica. Only
//   the leader decides expiry: expired(now_ms) returns leases the replica must turn into
//   LeaseRevokeRequest log entries. Keep-alives renew on the leader only and are not logged.
// - A new leader does not know how much of a lease's TTL had passed, so promote() gives every
//   lease now + extend_ms + its full TTL (etcd extends rather than expiring everything at once
//   after an election), and spreads the expiries so that no second sees more than 3/4 of the
//   revoke rate (etcd's targetExpiresPerSecond). demote() stops all expiry decisions.
//
// Bounds (LeaseKeeperOptions):
// - TTL: below ttl_min_s is raised to ttl_min_s (etcd's rule: a lease must outlive a leader
//   election, so its minimum is 1.5 election timeouts rounded up to whole seconds; see
//   min_ttl_for_election_timeout(); default 2 s for a 1 s election timeout); above ttl_max_s
//   (etcd's MaxLeaseTTL, 9e9 s) is refused.
// - leases_max leases; more grants are refused (checked at proposal time).
// - expired() returns at most revokes_per_call_max leases (etcd's leaseRevokeRate of 1000/s,
//   checked every 500 ms, hence 500 per call). A returned lease is offered again after
//   revoke_retry_ms if its revoke was never applied (a lost proposal; etcd's 3 s retry).
//
// How the replica uses it:
//   leader, client LeaseGrant:  ttl = check_grant(id, ttl_s) -> propose LeaseGrantRequest{id, ttl}
//   every replica, on apply:    on_granted(id, ttl_s, now_ms) / on_revoked(id)
//   on open / snapshot install: recover(store, now_ms)
//   leader, client KeepAlive:   keep_alive(id, now_ms) -> TTL to answer
//   leader, client TimeToLive:  time_to_live(id, now_ms, store)
//   leader, every ~500 ms:      for id in expired(now_ms): propose LeaseRevokeRequest{id}
//   role changes:               promote(now_ms, election_timeout_ms) / demote()
// Single-threaded, like the store.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "runtime/result.hpp"
#include "storage/mvcc_store.hpp"

namespace craton::store {

/// etcd's minimum lease TTL: 1.5 election timeouts, rounded up to whole seconds.
std::int64_t min_ttl_for_election_timeout(std::int64_t election_timeout_ms);

struct LeaseKeeperOptions {
  std::size_t leases_max = 1'000'000;
  std::int64_t ttl_min_s = 2;              ///< min_ttl_for_election_timeout(1000)
  std::int64_t ttl_max_s = 9'000'000'000;  ///< etcd's MaxLeaseTTL
  std::size_t revokes_per_second = 1000;   ///< etcd's leaseRevokeRate (for promote's spread)
  std::size_t revokes_per_call_max = 500;  ///< expired() called every 500 ms
  std::int64_t revoke_retry_ms = 3000;     ///< etcd's expiredLeaseRetryInterval
};

/// The answer to a TimeToLive query.
struct LeaseTtl {
  std::int64_t id = 0;
  std::int64_t granted_ttl_s = 0;
  std::int64_t remaining_ttl_s = 0;  ///< rounded up; 0 once expired (revoke pending)
  std::vector<std::string> keys;     ///< attached keys in key order, from the store
};

class LeaseKeeper {
 public:
  explicit LeaseKeeper(LeaseKeeperOptions options = {});

  // ---- Proposal side (leader) ----
  /// Validates a grant before it is proposed; returns the TTL to propose (raised to the
  /// minimum). Errors: "invalid" (id <= 0, ttl < 0), "ttl_too_large", "lease_exists",
  /// "too_many_leases", "not_leader".
  Result<std::int64_t> check_grant(std::int64_t id, std::int64_t ttl_s) const;

  // ---- Apply side (every replica, in log order, after the store applied it) ----
  void on_granted(std::int64_t id, std::int64_t ttl_s, std::int64_t now_ms);
  void on_revoked(std::int64_t id);
  /// Mirrors the store's leases (after open or a snapshot install); expiries now + TTL.
  void recover(const storage::MvccStore& store, std::int64_t now_ms);

  // ---- Leadership ----
  /// This replica became leader: every lease expires at now + extend_ms + TTL, spread out.
  void promote(std::int64_t now_ms, std::int64_t extend_ms);
  /// This replica is no longer leader: no more expiry decisions, keep-alives or TTL answers.
  void demote();
  bool is_leader() const { return leader_; }

  // ---- Leader-only requests ----
  /// Renews to now + TTL; returns the TTL in seconds. Errors: "not_leader", "lease_not_found"
  /// (unknown, or already expired with its revoke pending, as etcd).
  Result<std::int64_t> keep_alive(std::int64_t id, std::int64_t now_ms);
  /// Remaining and granted TTL plus attached keys. Errors: "not_leader", "lease_not_found".
  Result<LeaseTtl> time_to_live(std::int64_t id, std::int64_t now_ms,
                                const storage::MvccStore& store) const;
  /// Leases whose time is up, earliest first, at most revokes_per_call_max; empty unless
  /// leader. Each is offered again after revoke_retry_ms unless on_revoked() came first.
  std::vector<std::int64_t> expired(std::int64_t now_ms);

  // ---- Introspection ----
  std::size_t leases() const { return leases_.size(); }
  /// The expiry time of a lease on this replica, if known.
  std::optional<std::int64_t> expiry_ms(std::int64_t id) const;

 private:
  struct Lease {
    std::int64_t ttl_s = 0;
    std::int64_t expiry_ms = 0;
    bool revoking = false;  ///< offered by expired(), revoke not yet applied
  };

  void set_expiry(std::int64_t id, Lease& lease, std::int64_t expiry_ms);
  void spread_expiries();
  static std::int64_t ttl_ms(std::int64_t ttl_s);

  LeaseKeeperOptions options_;
  bool leader_ = false;
  std::map<std::int64_t, Lease> leases_;
  std::set<std::pair<std::int64_t, std::int64_t>> by_expiry_;  ///< (expiry_ms, id)
};

}  // namespace craton::store
