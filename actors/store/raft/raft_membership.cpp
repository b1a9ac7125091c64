#include "actors/store/raft/raft.hpp"

#include <algorithm>

#include "actors/store/raft/raft_internal.hpp"

namespace craton::raft {

using detail::is_local_request;
using detail::not_leader;

// Membership changes (applied when their entry is) and leader transfer.

void Raft::apply_conf_change(const Entry& e) {
  auto cc = ConfChange::decode(e.data);
  if (!cc) return;  // a malformed change was refused at proposal; replicas skip it alike
  auto next = membership_.apply(*cc);
  if (!next) return;  // e.g. removing the last voter: every replica skips it alike
  if (role_ == Role::leader && cc->type == ConfChangeType::remove_node && cc->node != id_ &&
      progress_.count(cc->node)) {
    // Last word to the removed node: the commit index, so that it applies its own removal
    // and stops (nothing is sent to it afterwards).
    send_heartbeat(cc->node, {});
  }
  membership_ = std::move(*next);
  conf_history_.push_back({e.index, membership_});
  // Keep the progress of remaining members; add new ones, drop removed ones.
  for (auto it = progress_.begin(); it != progress_.end();) {
    it = membership_.contains(it->first) ? std::next(it) : progress_.erase(it);
  }
  for (NodeId n : membership_.voters) {
    progress_.try_emplace(n, log_.last_index() + 1, cfg_.inflight_appends_max, false);
    progress_.at(n).is_learner = false;
  }
  for (NodeId n : membership_.learners) {
    progress_.try_emplace(n, log_.last_index() + 1, cfg_.inflight_appends_max, true);
  }
  if (lead_transferee_ != 0 && !membership_.is_voter(lead_transferee_)) abort_leader_transfer();
  if (role_ != Role::leader) return;
  if (!membership_.is_voter(id_)) {
    become_follower(term_, 0);  // removed (or demoted): let the others elect a leader
    return;
  }
  if (maybe_commit()) broadcast_append();
  broadcast_append();
}

// ---------------------------------------------------------------------------------------------
// Leader transfer

std::vector<NodeId> Raft::caught_up_learners() const {
  std::vector<NodeId> out;
  if (role_ != Role::leader) return out;
  for (NodeId l : membership_.learners) {
    auto it = progress_.find(l);
    if (it != progress_.end() && it->second.match >= log_.committed()) out.push_back(l);
  }
  return out;
}

Status Raft::transfer_leadership(NodeId to) {
  if (role_ != Role::leader) {
    if (to != id_) return not_leader(lead_);
    if (lead_ == 0) return not_leader(0);
    send(Message{.type = MessageType::transfer_leader, .to = lead_});
    return Ok{};
  }
  if (!membership_.is_voter(to)) {
    return Error{"invalid", "node " + std::to_string(to) + " is not a voter"};
  }
  start_transfer(to);
  return Ok{};
}

void Raft::start_transfer(NodeId to) {
  if (to == id_ || !membership_.is_voter(to) || lead_transferee_ == to) return;
  lead_transferee_ = to;
  election_elapsed_ = 0;  // the transfer gets one election timeout to finish
  const Progress& pr = progress_.at(to);
  if (pr.match == log_.last_index()) {
    send(Message{.type = MessageType::timeout_now, .to = to});
  } else {
    send_append(to);
  }
}

}  // namespace craton::raft
