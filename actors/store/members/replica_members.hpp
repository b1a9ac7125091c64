// ReplicaMembers: a replica's membership half (see "Membership" in replica.hpp). It owns the
// MemberDirectory (where each member listens, as the log says) and the leader transfers a
// client is waiting for, and checks member changes the way etcd does before they are proposed.
//
// Promises:
// - check_change() refuses, with a value and without changing anything, a duplicate id or
//   address, a bad address, removing the last voter, promoting an unknown or lagging learner.
// - The directory follows the committed conf change entries in log order (rebuild() at open,
//   apply() on apply, restore() from an installed snapshot); replaying them is harmless.
// - A transfer is settled once its target leads (success), or once Raft abandons it or its
//   deadline tick passes ("transfer_failed"); each pending transfer is settled exactly once.
// It reads the Raft node it is given and moves leadership only in start_transfer().
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "actors/store/codec/store_protocol.hpp"
#include "actors/store/members/member_directory.hpp"
#include "actors/store/raft/raft.hpp"

namespace craton::store {

class ReplicaMembers {
 public:
  /// `known` are addresses from the command line, used until the log names better ones.
  ReplicaMembers(raft::NodeId self, std::map<raft::NodeId, std::string> known);

  /// Rebuilds the directory from a stored snapshot (if any) and the committed conf change
  /// entries of `log`.
  void rebuild(const raft::SnapshotMeta& snapshot, const raft::RaftLog& log);
  /// The conf change to propose for `change`, or why it is refused (against Raft's applied
  /// configuration; Raft itself refuses a second change while one is pending).
  Result<raft::ConfChange> check_change(const MemberChangeRequest& change,
                                        const raft::Raft& raft) const;
  /// A committed conf change entry.
  void apply(const raft::Entry& e);
  void restore(const raft::SnapshotMeta& snapshot) { directory_.restore(snapshot); }

  MemberList list(raft::NodeId leader) const { return directory_.list(leader); }
  std::map<raft::NodeId, std::string> addresses() const { return directory_.addresses(); }
  bool removed() const { return directory_.removed(); }

  /// Starts moving leadership to `to` (the caller checked that `raft` leads). Returns true if
  /// `to` is this replica (nothing to do), false if the transfer now waits to be settled.
  Result<bool> start_transfer(std::uint64_t request_id, raft::NodeId to, raft::Raft& raft,
                              std::uint64_t deadline_tick);
  struct TransferOutcome {
    std::uint64_t request_id = 0;
    raft::NodeId to = 0;
    std::optional<Error> error;  ///< unset: `to` leads now
  };
  /// Settles the transfers that succeeded, were abandoned by Raft or passed their deadline.
  std::vector<TransferOutcome> settle_transfers(const raft::Raft& raft, std::uint64_t now_tick);
  std::size_t transfers_pending() const { return transfers_.size(); }
  /// The voter with the most of the leader's log, other than this replica; 0 if none.
  raft::NodeId best_voter(const raft::Raft& raft) const;

 private:
  struct PendingTransfer {
    std::uint64_t request_id = 0;
    raft::NodeId to = 0;
    std::uint64_t deadline_tick = 0;
  };

  raft::NodeId self_;
  MemberDirectory directory_;
  std::vector<PendingTransfer> transfers_;
};

}  // namespace craton::store
