// ReplicaLeases: a replica's lease half (see "Leases" in replica.hpp). It binds the LeaseKeeper
// core (lease/lease_keeper.hpp) to the replica's notion of time and to what the Raft log
// applies; the Replica does the proposing and the answering.
//
// Promises:
// - It knows no time until the first advance_clock() and makes no expiry decision before it: it
//   follows Raft's leadership (promote, extending every lease by one election timeout) only
//   once it has a clock reading. Earlier readings than the latest are ignored.
// - advance_clock() returns the expired leases to revoke at most once every lease_check_ms,
//   and only while leading; a revoke that is lost is offered again by the keeper later.
// - Applied grants and revokes are mirrored in log order on every replica (note_applied).
// - Errors are values (code and message unchanged from the keeper's); a refused request
//   changes nothing. Lease replies are bounded (kLeaseReplyBytesMax).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "actors/store/codec/store_protocol.hpp"
#include "actors/store/lease/lease_keeper.hpp"
#include "storage/mvcc_store.hpp"

namespace craton::store {

class ReplicaLeases {
 public:
  /// `keeper.ttl_min_s` is raised so that a lease outlives a leader election
  /// (election_timeout_ms); lease_check_ms is how often a leader looks for expired leases.
  ReplicaLeases(LeaseKeeperOptions keeper, std::int64_t election_timeout_ms,
                std::int64_t lease_check_ms);

  /// Keeps the keeper's leadership equal to Raft's (`leading`); promotion waits for the first
  /// clock reading: expiries computed from an unknown "now" would expire every lease at once.
  void sync_leadership(bool leading);
  /// The time now (ms, monotonic). Returns the leases the leader must propose revokes for:
  /// empty unless leading and lease_check_ms have passed since the last check.
  std::vector<std::int64_t> advance_clock(std::int64_t now_ms, bool leading);
  /// Checks a grant before it is proposed and sets its TTL to the one that will be granted.
  Status check_grant(storage::LeaseGrantRequest& grant, bool leading);
  /// Answers a leader-only lease request (keep-alive, time-to-live, list). The caller has
  /// checked that Raft leads; `log_applied` says this leader has applied its whole log (a
  /// committed revoke not applied yet would otherwise be renewed).
  Result<LeaseReply> answer(const StoreRequest& request, bool log_applied,
                            const storage::MvccStore& mvcc);
  /// Mirrors applied grants and revokes into the keeper, in log order.
  void note_applied(const std::vector<storage::IndexedWrite>& writes,
                    const std::vector<Result<storage::WriteResponse>>& results);
  /// Reloads the keeper from the store (at open and after a snapshot install); expiries are
  /// set for real when this replica is promoted.
  void recover(const storage::MvccStore& mvcc) { keeper_.recover(mvcc, 0); }

  bool is_leader() const { return keeper_.is_leader(); }
  const LeaseKeeper& keeper() const { return keeper_; }
  std::optional<std::int64_t> now_ms() const { return now_ms_; }

 private:
  Result<LeaseReply> time_to_live(const LeaseTimeToLiveRequest& request,
                                  const storage::MvccStore& mvcc) const;
  Result<LeaseReply> list(const storage::MvccStore& mvcc) const;

  LeaseKeeper keeper_;
  std::int64_t election_timeout_ms_ = 0;
  std::int64_t lease_check_ms_ = 0;
  std::optional<std::int64_t> now_ms_;  ///< unset until the first advance_clock()
  std::int64_t checked_ms_ = 0;         ///< when the leader last looked for expired leases
};

}  // namespace craton::store
