// The store's client protocol as plain C++: what a client asks a replica (StoreRequest) and what
// it gets back (StoreReply). The Cap'n Proto form is schemas/store.capnp (StoreRequest,
// StoreResponse); actors/store/codec/store_codec.hpp converts. No CAF, no I/O.
//
// Error codes a client can act on (StoreReply::error->code, a StoreErrorCode: store_error.hpp
// has the complete list and what each says about a write's outcome):
//   not_leader        this replica does not lead; leader_hint names the one it believes does
//   no_leader         no leader is known right now (an election is running): retry later
//   busy              the replica's bounded queue of pending requests is full: back off
//   timeout           no answer within the replica's deadline; a write may or may not apply
//   proposal_dropped  the write lost its place in the log (leader change): certainly not
//                     applied, safe to retry
//   unknown_request   a request body this replica does not understand
//   lease_not_found   (lease requests, and a put with an unknown lease) no such lease, or it
//                     expired with its revoke pending
// Membership (actors/store/codec/member_change.hpp): member_exists, member_unknown, address_in_use,
//   bad_address, last_voter, not_learner, learner_not_ready (still catching up),
//   change_in_progress, removed (this replica left the cluster), transfer_failed.
//   duplicate         the write's client session shows it applied already (a copy of it, or
//                     a retry): already done; its first answer carried the result
//   stale_sequence    the write is older than its session's oldest unanswered write: not
//                     applied now, outcome of the original unknown
//   watch_not_found, too_many_streams, too_many_watchers, invalid, stream_backlog
//                     watch requests (see "Watches" in replica.hpp and docs/store.md)
// and the MVCC layer's codes unchanged (too_large, compacted, future_revision, no_space, ...).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "actors/store/codec/member_change.hpp"
#include "actors/store/codec/store_error.hpp"
#include "actors/store/raft/raft_types.hpp"
#include "actors/store/watch/watch_types.hpp"
#include "runtime/result.hpp"
#include "storage/kv_types.hpp"

namespace craton::store {

/// The node id a replica runs under: "store-<id>" (clients address replicas by it).
inline std::string replica_node_id(raft::NodeId id) {
  return "store-" + std::to_string(id);
}

/// A read through Raft's ReadIndex (linearizable) or of local state (serializable).
struct ReadRequest {
  storage::RangeRequest range;
  bool serializable = false;
};

struct StatusRequest {};

/// Renews a lease on the leader (etcd's LeaseKeepAlive, one round). Not logged.
struct LeaseKeepAliveRequest {
  std::int64_t id = 0;
};

/// A lease's remaining and granted TTL, and optionally its keys (etcd's LeaseTimeToLive).
struct LeaseTimeToLiveRequest {
  std::int64_t id = 0;
  bool keys = false;
};

/// Every lease id (etcd's LeaseLeases).
struct LeaseListRequest {};

/// Watch requests (Replica::watch): they belong to the sender's stream (docs/store.md,
/// "Watches"). A create is answered by the watch's `created` response; cancel and progress
/// requests are acknowledged at once with an empty reply (and keep the stream alive).
struct WatchCreate {
  WatchRequest request;
};
struct WatchCancel {
  WatchId watch_id = 0;
};
struct WatchProgress {};

using StoreRequest =
    std::variant<ReadRequest, storage::WriteRequest, StatusRequest, LeaseKeepAliveRequest,
                 LeaseTimeToLiveRequest, LeaseListRequest, MemberChangeRequest,
                 TransferLeaderRequest, WatchCreate, WatchCancel, WatchProgress>;

/// True for requests only the leader answers (lease keep-alive, time-to-live and list): the
/// client sends them where writes go and follows not_leader redirects. They change nothing
/// replicated, so repeating them is safe.
inline bool is_leader_only(const StoreRequest& request) {
  return std::holds_alternative<LeaseKeepAliveRequest>(request) ||
         std::holds_alternative<LeaseTimeToLiveRequest>(request) ||
         std::holds_alternative<LeaseListRequest>(request);
}

/// True for watch requests: they belong to the sender's stream and the store actor routes them
/// (Replica::watch), never through Replica::submit.
inline bool is_watch_request(const StoreRequest& request) {
  return std::holds_alternative<WatchCreate>(request) ||
         std::holds_alternative<WatchCancel>(request) ||
         std::holds_alternative<WatchProgress>(request);
}

/// One replica's view of itself, as `craton store status` prints it.
struct MemberStatus {
  raft::NodeId id = 0;
  std::string role;  ///< leader, follower, learner, candidate, pre_candidate
  raft::NodeId leader = 0;
  std::uint64_t term = 0;
  std::uint64_t commit_index = 0;
  std::uint64_t applied_index = 0;
  std::int64_t revision = 0;
  std::int64_t compacted_revision = 0;
  std::uint64_t db_size_bytes = 0;
  std::int64_t data_bytes = 0;
  std::vector<raft::NodeId> voters;
  std::vector<raft::NodeId> learners;
  std::int64_t quota_bytes = 0;  ///< this replica's --quota-backend-bytes (applies while it leads)
  bool operator==(const MemberStatus&) const = default;
};

/// The answer to a lease keep-alive, time-to-live or list request (fields as the request uses
/// them; the rest stay zero/empty).
struct LeaseReply {
  std::int64_t header_revision = 0;
  std::int64_t id = 0;
  std::int64_t ttl_s = 0;            ///< keep-alive: renewed TTL; time-to-live: seconds left
  std::int64_t granted_ttl_s = 0;    ///< time-to-live
  std::vector<std::string> keys;     ///< time-to-live with keys
  std::vector<std::int64_t> leases;  ///< list, ascending
  bool operator==(const LeaseReply&) const = default;
};

using StoreReplyBody = std::variant<std::monostate, storage::RangeResponse, storage::WriteResponse,
                                    MemberStatus, LeaseReply, MemberList, WatchResponse>;

struct StoreReply {
  std::optional<StoreError> error;  ///< set: the request failed; body is empty
  raft::NodeId leader_hint = 0;
  StoreReplyBody body;
};

}  // namespace craton::store
