// ReplicaMembers: member changes checked before proposal, the member directory kept in step
// with the log, and pending leader transfers (see replica_members.hpp).
#include "actors/store/members/replica_members.hpp"

#include <algorithm>

#include "runtime/peer_list.hpp"

namespace craton::store {

ReplicaMembers::ReplicaMembers(raft::NodeId self, std::map<raft::NodeId, std::string> known)
    : self_(self), directory_(self, std::move(known)) {}

void ReplicaMembers::rebuild(const raft::SnapshotMeta& snapshot, const raft::RaftLog& log) {
  if (snapshot.index > 0) directory_.restore(snapshot);
  for (auto i = log.first_index(); i <= log.committed() && i <= log.last_index(); ++i) {
    const auto& e = log.at(i);
    if (e.type != raft::EntryType::conf_change) continue;
    if (auto cc = raft::ConfChange::decode(e.data)) directory_.apply(e.index, *cc);
  }
}

void ReplicaMembers::apply(const raft::Entry& e) {
  if (auto cc = raft::ConfChange::decode(e.data)) directory_.apply(e.index, *cc);
}

// The checks etcd makes before a member change, against the applied configuration.
Result<raft::ConfChange> ReplicaMembers::check_change(const MemberChangeRequest& change,
                                                      const raft::Raft& raft) const {
  const auto& m = raft.membership();
  auto id = std::to_string(change.id);
  switch (change.kind) {
    case MemberChangeKind::add_voter:
    case MemberChangeKind::add_learner: {
      if (m.contains(change.id)) return Error{"member_exists", "member " + id + " already exists"};
      auto endpoint = parse_endpoint(change.address);
      if (!endpoint) return Error{"bad_address", "member address: " + endpoint.error().message};
      auto address = endpoint->to_string();
      if (auto other = directory_.member_at(address); other != 0)
        return Error{"address_in_use",
                     address + " is already member " + std::to_string(other) + "'s address"};
      auto type = change.kind == MemberChangeKind::add_voter ? raft::ConfChangeType::add_voter
                                                             : raft::ConfChangeType::add_learner;
      return raft::ConfChange{type, change.id, address};
    }
    case MemberChangeKind::promote: {
      if (!m.is_learner(change.id))
        return Error{m.contains(change.id) ? "not_learner" : "member_unknown",
                     "member " + id + " is not a learner"};
      auto ready = raft.caught_up_learners();
      if (std::find(ready.begin(), ready.end(), change.id) == ready.end())
        return Error{"learner_not_ready",
                     "learner " + id + " has not caught up with the leader's log yet: retry later"};
      return raft::ConfChange{raft::ConfChangeType::add_voter, change.id, {}};
    }
    case MemberChangeKind::remove:
      if (!m.contains(change.id)) return Error{"member_unknown", "no member " + id};
      if (m.is_voter(change.id) && m.voters.size() == 1)
        return Error{"last_voter", "member " + id + " is the last voter: it cannot be removed"};
      return raft::ConfChange{raft::ConfChangeType::remove_node, change.id, {}};
    case MemberChangeKind::list:
      break;
  }
  return Error{"invalid", "not a member change"};
}

Result<bool> ReplicaMembers::start_transfer(std::uint64_t request_id, raft::NodeId to,
                                            raft::Raft& raft, std::uint64_t deadline_tick) {
  if (to == self_) return true;
  if (!raft.membership().is_voter(to))
    return Error{"not_voter",
                 "member " + std::to_string(to) + " is not a voter: only voters can lead"};
  if (auto s = raft.transfer_leadership(to); !s) return s.error();
  transfers_.push_back({request_id, to, deadline_tick});
  return false;
}

// "transfer_failed" if Raft abandoned a transfer (the target did not catch up within an
// election timeout) or its deadline passed.
std::vector<ReplicaMembers::TransferOutcome> ReplicaMembers::settle_transfers(
    const raft::Raft& raft, std::uint64_t now_tick) {
  std::vector<TransferOutcome> settled;
  std::erase_if(transfers_, [&](const PendingTransfer& t) {
    if (raft.lead() == t.to) {
      settled.push_back({t.request_id, t.to, std::nullopt});
      return true;
    }
    bool abandoned = raft.role() == raft::Role::leader && raft.lead_transferee() != t.to;
    if (!abandoned && t.deadline_tick > now_tick) return false;
    settled.push_back({t.request_id, t.to,
                       Error{"transfer_failed", "leadership did not move to replica " +
                                                    std::to_string(t.to) + ": retry"}});
    return true;
  });
  return settled;
}

raft::NodeId ReplicaMembers::best_voter(const raft::Raft& raft) const {
  raft::NodeId best = 0;
  std::uint64_t best_match = 0;
  for (auto v : raft.membership().voters) {
    const auto* pr = raft.progress(v);
    if (v == self_ || !pr) continue;
    if (best == 0 || pr->match > best_match) {
      best = v;
      best_match = pr->match;
    }
  }
  return best;
}

}  // namespace craton::store
