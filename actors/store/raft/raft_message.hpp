// The Raft core's vocabulary on the wire and toward its caller: the messages replicas exchange,
// the snapshot they carry, the read states a ReadIndex request yields and the Ready batch the
// caller drains. Plain C++ structs with no I/O; the actor shell converts Message to and from
// Cap'n Proto. The Raft core validates every Message it is given (see Raft::step), so a shell
// may pass decoded network input straight in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/store/raft/raft_types.hpp"

namespace craton::raft {

enum class MessageType : std::uint8_t {
  app = 1,               ///< AppendEntries: index/log_term name the entry before `entries`
  app_resp = 2,          ///< reply to app or snap: index = last index known to match
  vote = 3,              ///< RequestVote: index/log_term describe the candidate's last entry
  vote_resp = 4,         ///< reply to vote; reject tells the verdict
  pre_vote = 5,          ///< pre-vote round: term is the term the sender would campaign in
  pre_vote_resp = 6,     ///< reply to pre_vote
  snap = 7,              ///< InstallSnapshot: snapshot carries meta and data
  heartbeat = 8,         ///< leader liveness; commit is min(follower match, leader commit)
  heartbeat_resp = 9,    ///< reply to heartbeat; echoes context (ReadIndex confirmation)
  read_index = 10,       ///< follower asks the leader for a read index; context identifies it
  read_index_resp = 11,  ///< leader's answer: index is the read index (0 with reject = refused)
  transfer_leader = 12,  ///< follower asks the leader to hand leadership to `from`
  timeout_now = 13,      ///< leader tells the transferee to campaign at once
};

const char* to_string(MessageType type);

/// A snapshot: the state machine as of meta.index, with the membership at that index.
struct Snapshot {
  SnapshotMeta meta;
  std::string data;  ///< opaque to Raft; produced and consumed by the state machine
  bool operator==(const Snapshot&) const = default;
};

/// One message between replicas. Fields unused by a type stay at their defaults.
struct Message {
  MessageType type = MessageType::app;
  NodeId from = 0;
  NodeId to = 0;
  std::uint64_t term = 0;
  std::uint64_t log_term = 0;  ///< app: term of entry `index`; vote: candidate's last term;
                               ///< rejected app_resp: term of reject_hint on the follower
  std::uint64_t index = 0;
  std::vector<Entry> entries;
  std::uint64_t commit = 0;
  bool reject = false;
  std::uint64_t reject_hint = 0;  ///< rejected app_resp: where the leader should probe next
  bool leader_transfer = false;   ///< vote/pre_vote sent after timeout_now: bypasses leases
  std::string context;            ///< ReadIndex request context, echoed back
  std::optional<Snapshot> snapshot;
};

/// A linearizable read point: the caller may serve the read identified by `context` once its
/// state machine has applied `index`.
struct ReadState {
  std::uint64_t index = 0;
  std::string context;
  bool operator==(const ReadState&) const = default;
};

enum class Role : std::uint8_t { follower, pre_candidate, candidate, leader };
const char* to_string(Role role);

/// Volatile state worth reporting (leader changes); never persisted.
struct SoftState {
  NodeId lead = 0;
  Role role = Role::follower;
  bool operator==(const SoftState&) const = default;
};

/// One batch of work for the caller, in the order it must be done:
///   1. persist `snapshot` (replacing the stored log), then `entries` (an entry at index i
///      replaces any stored entry at i and everything after it), then `hard_state`; make it
///      durable (fsync) when `must_sync`;
///   2. send `messages` (they may depend on step 1 being durable: votes, acks);
///   3. apply `snapshot` to the state machine, then `committed_entries` in order;
///      serve reads whose `read_states` index has been applied;
///   4. call Raft::advance().
struct Ready {
  std::optional<SoftState> soft_state;
  std::optional<HardState> hard_state;
  std::optional<Snapshot> snapshot;
  std::vector<Entry> entries;
  std::vector<Message> messages;
  std::vector<Entry> committed_entries;
  std::vector<ReadState> read_states;
  bool must_sync = false;
};

}  // namespace craton::raft
