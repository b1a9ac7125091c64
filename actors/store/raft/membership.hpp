// Membership: who votes and who only listens (learners), and the one-at-a-time changes to it.
// A change is proposed as a conf_change log entry whose data is ConfChange::encode(); it takes
// effect on every replica when that entry is applied (Raft::advance), and the leader accepts a
// new change only once the previous one has been applied, so two configurations that differ by
// more than one voter never coexist (Raft thesis, section 4.1).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "actors/store/raft/raft_types.hpp"
#include "runtime/result.hpp"

namespace craton::raft {

enum class ConfChangeType : std::uint8_t {
  add_voter = 1,    ///< add a voter, or promote a learner to voter
  remove_node = 2,  ///< remove a voter or a learner
  add_learner = 3,  ///< add a non-voting member (refused for an existing voter)
};

/// Longest ConfChange::context accepted (the store puts a member's host:port there).
inline constexpr std::size_t kConfChangeContextMax = 512;

struct ConfChange {
  ConfChangeType type = ConfChangeType::add_voter;
  NodeId node = 0;
  /// Opaque to Raft (like etcd's ConfChange.Context): replicated with the change and handed
  /// back with the committed entry. The store keeps the member's address here.
  std::string context;

  /// 9 bytes (type, then the node id little-endian), then the context bytes.
  std::string encode() const;
  /// Checks size, type, node id and context length; a malformed entry is an error, never a
  /// crash.
  static Result<ConfChange> decode(std::string_view bytes);
  bool operator==(const ConfChange&) const = default;
};

/// The voters and learners of one configuration. Invariant: the sets are disjoint.
struct Membership {
  std::set<NodeId> voters;
  std::set<NodeId> learners;

  bool is_voter(NodeId id) const { return voters.count(id) > 0; }
  bool is_learner(NodeId id) const { return learners.count(id) > 0; }
  bool contains(NodeId id) const { return is_voter(id) || is_learner(id); }
  /// Votes (or acks) needed for a majority of voters.
  std::size_t quorum() const { return voters.size() / 2 + 1; }

  /// The configuration after `cc`, or an error if the change makes no sense here.
  Result<Membership> apply(const ConfChange& cc) const;

  static Membership from(const SnapshotMeta& meta);
  void fill(SnapshotMeta& meta) const;
  bool operator==(const Membership&) const = default;
};

}  // namespace craton::raft
