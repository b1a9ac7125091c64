// Membership requests of the store's client protocol, as plain C++ (the Cap'n Proto form is
// schemas/store.capnp: MemberChange, MemberList, StoreRequest.transferLeader), in the shape of
// etcd's `member list|add|remove|promote` and `move-leader`.
//
// A change is one Raft conf change entry; the member's address ("host:port") travels in the
// entry's context, so every replica (and one added later) learns how to reach every member
// from the replicated log. Changes are answered after their entry is applied, with the
// membership that results. No CAF, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "actors/store/raft/raft_types.hpp"

namespace craton::store {

enum class MemberChangeKind : std::uint8_t {
  list = 0,         ///< no change: the current members
  add_voter = 1,    ///< a new voting member (like `etcdctl member add`)
  add_learner = 2,  ///< a new non-voting member that catches up first
  promote = 3,      ///< a caught-up learner becomes a voter
  remove = 4,       ///< a voter or learner leaves; a removed replica shuts down
};
inline constexpr std::uint8_t kMemberChangeKindMax = 4;

struct MemberChangeRequest {
  MemberChangeKind kind = MemberChangeKind::list;
  raft::NodeId id = 0;  ///< the member changed (not for list)
  std::string address;  ///< host:port, for add_voter and add_learner only
  bool operator==(const MemberChangeRequest&) const = default;
};

/// Hand leadership to voter `to` (like `etcdctl move-leader`); answered once it leads.
struct TransferLeaderRequest {
  raft::NodeId to = 0;
  bool operator==(const TransferLeaderRequest&) const = default;
};

struct MemberInfo {
  raft::NodeId id = 0;
  std::string address;  ///< empty when the replica never learned it
  bool learner = false;
  bool operator==(const MemberInfo&) const = default;
};

/// The membership a replica has applied, ordered by id.
struct MemberList {
  std::vector<MemberInfo> members;
  raft::NodeId leader = 0;  ///< 0: unknown
  bool operator==(const MemberList&) const = default;
};

}  // namespace craton::store
