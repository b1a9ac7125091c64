// Replica: membership changes and leader transfer (see replica.hpp and member_change.hpp).
#include <algorithm>

#include "actors/store/replica/replica.hpp"
#include "runtime/peer_list.hpp"

namespace craton::store {

// Rebuilds the member directory from the committed conf change entries in the stored log.
Status Replica::open_members() {
  members_.emplace(config_.id, config_.peer_addresses);
  if (log_->snapshot().index > 0) members_->restore(log_->snapshot());
  const auto& log = raft_->log();
  for (auto i = log.first_index(); i <= log.committed() && i <= log.last_index(); ++i) {
    const auto& e = log.at(i);
    if (e.type != raft::EntryType::conf_change) continue;
    if (auto cc = raft::ConfChange::decode(e.data)) members_->apply(e.index, *cc);
  }
  return Ok{};
}

// The checks etcd makes before a member change, against the applied configuration. Raft
// itself refuses a second change while one is pending ("change_in_progress").
Result<raft::ConfChange> Replica::check_member_change(const MemberChangeRequest& change) const {
  const auto& m = raft_->membership();
  auto id = std::to_string(change.id);
  switch (change.kind) {
    case MemberChangeKind::add_voter:
    case MemberChangeKind::add_learner: {
      if (m.contains(change.id)) return Error{"member_exists", "member " + id + " already exists"};
      auto endpoint = parse_endpoint(change.address);
      if (!endpoint) return Error{"bad_address", "member address: " + endpoint.error().message};
      auto address = endpoint->to_string();
      if (auto other = members_->member_at(address); other != 0)
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
      auto ready = raft_->caught_up_learners();
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

ReplicaOutput Replica::submit_member_change(std::uint64_t request_id,
                                            const MemberChangeRequest& change) {
  ReplicaOutput out;
  if (raft_->role() != raft::Role::leader) {
    out.replies.push_back({request_id, refuse_not_leader()});
    return out;
  }
  auto cc = check_member_change(change);
  if (!cc) {
    out.replies.push_back({request_id, refuse(cc.error().code, cc.error().message)});
    return out;
  }
  track_proposal(request_id, raft_->propose_conf_change(*cc), out);
  return out;
}

// A committed conf change: the directory learns it (Raft applies it in advance()), and the
// change's requester gets the resulting membership.
void Replica::apply_member_change(const raft::Entry& e, ReplicaOutput& out) {
  if (auto cc = raft::ConfChange::decode(e.data)) members_->apply(e.index, *cc);
  auto it = proposals_.find(e.index);
  if (it == proposals_.end()) return;
  StoreReply reply{std::nullopt, raft_->lead(), {}};
  if (it->second.term != e.term)
    reply.error = Error{"proposal_dropped", "a leader change replaced the change: not applied"};
  else
    reply.body = members_->list(raft_->lead());
  out.replies.push_back({it->second.request_id, std::move(reply)});
  proposals_.erase(it);
}

ReplicaOutput Replica::submit_transfer(std::uint64_t request_id, TransferLeaderRequest transfer) {
  ReplicaOutput out;
  if (raft_->role() != raft::Role::leader) {
    out.replies.push_back({request_id, refuse_not_leader()});
    return out;
  }
  if (transfer.to == config_.id) {
    out.replies.push_back({request_id, StoreReply{std::nullopt, config_.id, {}}});
    return out;
  }
  if (!raft_->membership().is_voter(transfer.to)) {
    out.replies.push_back(
        {request_id, refuse("not_voter", "member " + std::to_string(transfer.to) +
                                             " is not a voter: only voters can lead")});
    return out;
  }
  if (auto s = raft_->transfer_leadership(transfer.to); !s) {
    out.replies.push_back({request_id, refuse(s.error().code, s.error().message)});
    return out;
  }
  transfers_.push_back(
      {request_id, transfer.to, ticks_ + std::uint64_t(config_.request_timeout_ticks)});
  return out;
}

// A transfer is answered once its target leads; "transfer_failed" if Raft abandoned it (the
// target did not catch up within an election timeout) or the deadline passed.
void Replica::answer_transfers(ReplicaOutput& out) {
  std::erase_if(transfers_, [&](const PendingTransfer& t) {
    if (raft_->lead() == t.to) {
      out.replies.push_back({t.request_id, StoreReply{std::nullopt, t.to, {}}});
      return true;
    }
    bool abandoned = raft_->role() == raft::Role::leader && raft_->lead_transferee() != t.to;
    if (!abandoned && t.deadline_tick > ticks_) return false;
    out.replies.push_back(
        {t.request_id, refuse("transfer_failed", "leadership did not move to replica " +
                                                     std::to_string(t.to) + ": retry")});
    return true;
  });
}

raft::NodeId Replica::transfer_to_best_voter() {
  if (failed() || raft_->role() != raft::Role::leader) return 0;
  raft::NodeId best = 0;
  std::uint64_t best_match = 0;
  for (auto v : raft_->membership().voters) {
    const auto* pr = raft_->progress(v);
    if (v == config_.id || !pr) continue;
    if (best == 0 || pr->match > best_match) {
      best = v;
      best_match = pr->match;
    }
  }
  if (best != 0 && !raft_->transfer_leadership(best)) return 0;
  return best;
}

}  // namespace craton::store
