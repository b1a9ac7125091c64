// ReplicaLeases: the replica's lease half (see replica_leases.hpp): time, expiry checks, grant
// checks, the leader-only lease answers, and the mirror of applied grants and revokes.
#include "actors/store/replica/replica_leases.hpp"

#include <algorithm>

namespace craton::store {
namespace {

// A lease reply must fit one envelope (4 MiB, runtime/envelope_codec.hpp) with room to spare.
constexpr std::size_t kLeaseReplyBytesMax = std::size_t{2} << 20;

LeaseKeeperOptions keeper_options(LeaseKeeperOptions options, std::int64_t election_timeout_ms) {
  // etcd's rule: a lease must outlive a leader election.
  options.ttl_min_s =
      std::max(options.ttl_min_s, min_ttl_for_election_timeout(election_timeout_ms));
  options.ttl_max_s = std::max(options.ttl_max_s, options.ttl_min_s);
  return options;
}

Error reply_too_large(const std::string& what) {
  return Error{"too_large", "lease: " + what + " do not fit in one reply (" +
                                std::to_string(kLeaseReplyBytesMax) + " bytes)"};
}

}  // namespace

ReplicaLeases::ReplicaLeases(LeaseKeeperOptions keeper, std::int64_t election_timeout_ms,
                             std::int64_t lease_check_ms)
    : keeper_(keeper_options(keeper, election_timeout_ms)),
      election_timeout_ms_(election_timeout_ms),
      lease_check_ms_(lease_check_ms) {}

void ReplicaLeases::sync_leadership(bool leading) {
  if (leading && !keeper_.is_leader() && now_ms_) {
    keeper_.promote(*now_ms_, election_timeout_ms_);
    checked_ms_ = *now_ms_;
  } else if (!leading && keeper_.is_leader()) {
    keeper_.demote();
  }
}

std::vector<std::int64_t> ReplicaLeases::advance_clock(std::int64_t now_ms, bool leading) {
  if (!now_ms_ || now_ms > *now_ms_) now_ms_ = now_ms;
  sync_leadership(leading);
  if (!keeper_.is_leader() || *now_ms_ - checked_ms_ < lease_check_ms_) return {};
  checked_ms_ = *now_ms_;
  return keeper_.expired(*now_ms_);
}

Status ReplicaLeases::check_grant(storage::LeaseGrantRequest& grant, bool leading) {
  sync_leadership(leading);
  if (!keeper_.is_leader())
    return Error{"no_leader", "this leader has no clock reading yet: retry later"};
  auto ttl = keeper_.check_grant(grant.id, grant.ttl_s);
  if (!ttl) return ttl.error();
  grant.ttl_s = *ttl;
  return Ok{};
}

Result<LeaseReply> ReplicaLeases::answer(const StoreRequest& request, bool log_applied,
                                         const storage::MvccStore& mvcc) {
  if (!keeper_.is_leader())
    return Error{"no_leader", "this leader has no clock reading yet: retry later"};
  // The keeper mirrors applied entries. A new leader may hold committed entries of earlier
  // terms that it has not applied yet (or not yet know to be committed), among them a revoke
  // of this very lease: answering from the keeper before they are applied would renew a
  // lease that is already gone (etcd waits for its applied index the same way).
  if (!log_applied)
    return Error{"no_leader", "this leader has not applied its log yet: retry later"};
  if (auto* keep = std::get_if<LeaseKeepAliveRequest>(&request)) {
    auto ttl = keeper_.keep_alive(keep->id, *now_ms_);
    if (!ttl) return ttl.error();
    return LeaseReply{mvcc.current_revision(), keep->id, *ttl, 0, {}, {}};
  }
  if (auto* ttl = std::get_if<LeaseTimeToLiveRequest>(&request)) return time_to_live(*ttl, mvcc);
  return list(mvcc);
}

// etcd answers a lease that does not exist with TTL -1 rather than an error.
Result<LeaseReply> ReplicaLeases::time_to_live(const LeaseTimeToLiveRequest& request,
                                               const storage::MvccStore& mvcc) const {
  auto ttl = keeper_.time_to_live(request.id, *now_ms_, mvcc);
  if (!ttl) {
    if (ttl.error().code != "lease_not_found") return ttl.error();
    return LeaseReply{mvcc.current_revision(), request.id, -1, 0, {}, {}};
  }
  LeaseReply lease{mvcc.current_revision(), request.id, ttl->remaining_ttl_s,
                   ttl->granted_ttl_s,      {},         {}};
  if (request.keys) {
    std::size_t bytes = 0;
    for (const auto& key : ttl->keys) bytes += key.size() + 8;
    if (bytes > kLeaseReplyBytesMax) return reply_too_large("keys");
    lease.keys = std::move(ttl->keys);
  }
  return lease;
}

Result<LeaseReply> ReplicaLeases::list(const storage::MvccStore& mvcc) const {
  auto leases = mvcc.leases();
  if (leases.size() * sizeof(std::int64_t) > kLeaseReplyBytesMax)
    return reply_too_large("lease ids");
  LeaseReply list{mvcc.current_revision(), 0, 0, 0, {}, {}};
  for (const auto& info : leases) list.leases.push_back(info.id);
  return list;
}

// A revoke of a lease the store no longer has (an expiry proposed twice) drops it from the
// keeper too.
void ReplicaLeases::note_applied(const std::vector<storage::IndexedWrite>& writes,
                                 const std::vector<Result<storage::WriteResponse>>& results) {
  for (std::size_t i = 0; i < writes.size() && i < results.size(); ++i) {
    const auto& request = writes[i].request;
    if (std::holds_alternative<storage::LeaseGrantRequest>(request) && results[i]) {
      const auto& granted = std::get<storage::LeaseGrantResponse>(results[i].value());
      keeper_.on_granted(granted.id, granted.ttl_s, now_ms_.value_or(0));
    } else if (auto* revoke = std::get_if<storage::LeaseRevokeRequest>(&request)) {
      if (results[i] || results[i].error().code == "lease_not_found")
        keeper_.on_revoked(revoke->id);
    }
  }
}

}  // namespace craton::store
