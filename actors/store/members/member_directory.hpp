// MemberDirectory: where each member of a store cluster listens, as the replicated log says.
//
// Every conf change entry carries its member's address in its context (see member_change.hpp;
// the bootstrap entries carry the --peers addresses). The directory applies committed conf
// change entries in log order, mirroring Raft's own membership (the same Membership::apply
// rules, so a change Raft skips is skipped here too), and remembers each member's address. It
// also tells whether this replica was removed. Addresses given on the command line (--peers,
// --join) fill in members whose entries carried none. Pure, no CAF.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>

#include "actors/store/codec/member_change.hpp"
#include "actors/store/raft/membership.hpp"

namespace craton::store {

class MemberDirectory {
 public:
  /// `known` are addresses from the command line, used until the log names better ones.
  MemberDirectory(raft::NodeId self, std::map<raft::NodeId, std::string> known);

  /// One committed conf change entry. Entries at or below the last applied index are ignored,
  /// so replaying a log after a restart is harmless.
  void apply(std::uint64_t index, const raft::ConfChange& cc);
  /// Starts over from a snapshot: its membership and addresses stand at its index (the conf
  /// change entries up to it are compacted away).
  void restore(const raft::SnapshotMeta& snapshot);

  /// Every current member's address (members without a known address are left out).
  std::map<raft::NodeId, std::string> addresses() const;
  /// The current members with their addresses, ordered by id.
  MemberList list(raft::NodeId leader) const;
  /// The member that listens on `address`, or 0.
  raft::NodeId member_at(const std::string& address) const;
  const raft::Membership& membership() const { return membership_; }
  /// True once an applied change removed this replica.
  bool removed() const { return removed_; }
  std::uint64_t applied_index() const { return applied_index_; }

 private:
  std::string address_of(raft::NodeId id) const;

  raft::NodeId self_;
  std::map<raft::NodeId, std::string> known_;       ///< from flags
  std::map<raft::NodeId, std::string> replicated_;  ///< from conf change contexts
  raft::Membership membership_;
  std::uint64_t applied_index_ = 0;
  bool removed_ = false;
};

}  // namespace craton::store
