// The store's client protocol as plain C++: what a client asks a replica (StoreRequest) and what
// it gets back (StoreReply). The Cap'n Proto form is schemas/store.capnp (StoreRequest,
// StoreResponse); actors/store/store_codec.hpp converts. No CAF, no I/O.
//
// Error codes a client can act on (StoreReply::error->code):
//   not_leader        this replica does not lead; leader_hint names the one it believes does
//   no_leader         no leader is known right now (an election is running): retry later
//   busy              the replica's bounded queue of pending requests is full: back off
//   timeout           no answer within the replica's deadline; a write may or may not apply
//   proposal_dropped  the write lost its place in the log (leader change): certainly not
//                     applied, safe to retry
//   unknown_request   a request body this replica does not understand
//   watch_not_found, too_many_streams, too_many_watchers, invalid, stream_backlog
//                     watch requests (see "Watches" in replica.hpp and docs/store.md)
// and the MVCC layer's codes unchanged (too_large, compacted, future_revision, no_space, ...).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "runtime/result.hpp"
#include "storage/kv_types.hpp"
#include "storage/raft_types.hpp"
#include "actors/store/watch_types.hpp"

namespace craton::store {

/// A read through Raft's ReadIndex (linearizable) or of local state (serializable).
struct ReadRequest {
  storage::RangeRequest range;
  bool serializable = false;
};

struct StatusRequest {};

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

using StoreRequest = std::variant<ReadRequest, storage::WriteRequest, StatusRequest, WatchCreate,
                                  WatchCancel, WatchProgress>;

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
  bool operator==(const MemberStatus&) const = default;
};

using StoreReplyBody = std::variant<std::monostate, storage::RangeResponse,
                                    storage::WriteResponse, MemberStatus, WatchResponse>;

struct StoreReply {
  std::optional<Error> error;  ///< set: the request failed; body is empty
  raft::NodeId leader_hint = 0;
  StoreReplyBody body;
};

}  // namespace craton::store
