// The replica's lease half (see "Leases" in replica.hpp): it binds the LeaseKeeper core to the
// Raft log (grants checked before proposal, revokes proposed on expiry, both mirrored on
// apply) and answers the leader-only lease requests.
#include <algorithm>

#include "actors/store/codec/store_codec.hpp"
#include "actors/store/replica/replica.hpp"

namespace craton::store {
namespace {

// A lease reply must fit one envelope (4 MiB, runtime/envelope_codec.hpp) with room to spare.
constexpr std::size_t kLeaseReplyBytesMax = std::size_t{2} << 20;

LeaseKeeperOptions lease_options(const ReplicaConfig& config) {
  LeaseKeeperOptions options = config.leases;
  // etcd's rule: a lease must outlive a leader election.
  options.ttl_min_s = std::max(options.ttl_min_s,
                               min_ttl_for_election_timeout(config.election_tick * config.tick_ms));
  options.ttl_max_s = std::max(options.ttl_max_s, options.ttl_min_s);
  return options;
}

Error reply_too_large(const std::string& what) {
  return Error{"too_large", "lease: " + what + " do not fit in one reply (" +
                                std::to_string(kLeaseReplyBytesMax) + " bytes)"};
}

}  // namespace

Replica::Replica(ReplicaConfig config)
    : config_(std::move(config)), leases_(lease_options(config_)) {}

std::int64_t Replica::election_timeout_ms() const {
  return std::int64_t(config_.election_tick) * config_.tick_ms;
}

// Keeps the keeper's leadership equal to Raft's. Promotion waits for the first clock reading:
// expiries computed from an unknown "now" would expire every lease at once.
void Replica::sync_leadership() {
  bool leading = raft_->role() == raft::Role::leader;
  if (leading && !leases_.is_leader() && now_ms_) {
    leases_.promote(*now_ms_, election_timeout_ms());
    lease_checked_ms_ = *now_ms_;
  } else if (!leading && leases_.is_leader()) {
    leases_.demote();
  }
}

void Replica::advance_clock(std::int64_t now_ms) {
  if (failed()) return;
  if (!now_ms_ || now_ms > *now_ms_) now_ms_ = now_ms;
  sync_leadership();
  if (!leases_.is_leader() || *now_ms_ - lease_checked_ms_ < config_.lease_check_ms) return;
  lease_checked_ms_ = *now_ms_;
  // A revoke that is lost (leader change, full queue) is offered again by the keeper later.
  for (auto id : leases_.expired(*now_ms_))
    (void)raft_->propose(encode_write_request(storage::LeaseRevokeRequest{id}));
}

Status Replica::check_lease_grant(storage::LeaseGrantRequest& grant) {
  sync_leadership();
  if (!leases_.is_leader())
    return Error{"no_leader", "this leader has no clock reading yet: retry later"};
  auto ttl = leases_.check_grant(grant.id, grant.ttl_s);
  if (!ttl) return ttl.error();
  grant.ttl_s = *ttl;
  return Ok{};
}

ReplicaOutput Replica::submit_lease(std::uint64_t request_id, const StoreRequest& request) {
  ReplicaOutput out;
  sync_leadership();
  if (raft_->role() != raft::Role::leader) {
    out.replies.push_back({request_id, refuse_not_leader()});
    return out;
  }
  if (!leases_.is_leader()) {
    out.replies.push_back(
        {request_id, refuse("no_leader", "this leader has no clock reading yet: retry later")});
    return out;
  }
  // The keeper mirrors applied entries. A new leader may hold committed entries of earlier
  // terms that it has not applied yet (or not yet know to be committed), among them a revoke
  // of this very lease: answering from the keeper before they are applied would renew a
  // lease that is already gone (etcd waits for its applied index the same way).
  const auto& log = raft_->log();
  if (log.term(log.committed()) != raft_->term() || applied_ < log.committed()) {
    out.replies.push_back(
        {request_id, refuse("no_leader", "this leader has not applied its log yet: retry later")});
    return out;
  }
  StoreReply reply{std::nullopt, raft_->lead(), {}};
  if (auto* keep = std::get_if<LeaseKeepAliveRequest>(&request)) {
    auto ttl = leases_.keep_alive(keep->id, *now_ms_);
    if (ttl)
      reply.body = LeaseReply{mvcc_->current_revision(), keep->id, *ttl, 0, {}, {}};
    else
      reply = refuse(ttl.error().code, ttl.error().message);
  } else if (auto* ttl = std::get_if<LeaseTimeToLiveRequest>(&request)) {
    reply = lease_time_to_live(*ttl);
  } else {
    reply = lease_list();
  }
  out.replies.push_back({request_id, std::move(reply)});
  return out;
}

// etcd answers a lease that does not exist with TTL -1 rather than an error.
StoreReply Replica::lease_time_to_live(const LeaseTimeToLiveRequest& request) const {
  StoreReply reply{std::nullopt, raft_->lead(), {}};
  auto ttl = leases_.time_to_live(request.id, *now_ms_, *mvcc_);
  if (!ttl) {
    if (ttl.error().code != "lease_not_found") return refuse(ttl.error().code, ttl.error().message);
    reply.body = LeaseReply{mvcc_->current_revision(), request.id, -1, 0, {}, {}};
    return reply;
  }
  LeaseReply lease{mvcc_->current_revision(), request.id, ttl->remaining_ttl_s,
                   ttl->granted_ttl_s,        {},         {}};
  if (request.keys) {
    std::size_t bytes = 0;
    for (const auto& key : ttl->keys) bytes += key.size() + 8;
    if (bytes > kLeaseReplyBytesMax) return refuse("too_large", reply_too_large("keys").message);
    lease.keys = std::move(ttl->keys);
  }
  reply.body = std::move(lease);
  return reply;
}

StoreReply Replica::lease_list() const {
  StoreReply reply{std::nullopt, raft_->lead(), {}};
  auto leases = mvcc_->leases();
  if (leases.size() * sizeof(std::int64_t) > kLeaseReplyBytesMax)
    return refuse("too_large", reply_too_large("lease ids").message);
  LeaseReply list{mvcc_->current_revision(), 0, 0, 0, {}, {}};
  for (const auto& info : leases) list.leases.push_back(info.id);
  reply.body = std::move(list);
  return reply;
}

// Mirrors applied grants and revokes into the keeper, on every replica, in log order. A revoke
// of a lease the store no longer has (an expiry proposed twice) drops it from the keeper too.
void Replica::note_leases(const std::vector<storage::IndexedWrite>& writes,
                          const std::vector<Result<storage::WriteResponse>>& results) {
  for (std::size_t i = 0; i < writes.size() && i < results.size(); ++i) {
    const auto& request = writes[i].request;
    if (std::holds_alternative<storage::LeaseGrantRequest>(request) && results[i]) {
      const auto& granted = std::get<storage::LeaseGrantResponse>(results[i].value());
      leases_.on_granted(granted.id, granted.ttl_s, now_ms_.value_or(0));
    } else if (auto* revoke = std::get_if<storage::LeaseRevokeRequest>(&request)) {
      if (results[i] || results[i].error().code == "lease_not_found")
        leases_.on_revoked(revoke->id);
    }
  }
}

}  // namespace craton::store
