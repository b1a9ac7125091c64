#include "actors/store/raft/raft.hpp"

#include <algorithm>

#include "actors/store/raft/raft_internal.hpp"

namespace craton::raft {

using detail::is_local_request;
using detail::not_leader;

// The Ready batch: what the caller must persist, send and apply, and advance().

const Progress* Raft::progress(NodeId node) const {
  if (role_ != Role::leader) return nullptr;
  auto it = progress_.find(node);
  return it == progress_.end() ? nullptr : &it->second;
}

bool Raft::has_ready() const {
  if (awaiting_advance_) return false;
  return soft_state() != prev_soft_state_ || hard_state() != prev_hard_state_ ||
         pending_snapshot_.has_value() || log_.stable() < log_.last_index() || !msgs_.empty() ||
         log_.has_next_committed() || !read_states_.empty();
}

Ready Raft::ready() {
  CRATON_ASSERT(!awaiting_advance_, "ready() called twice without advance()");
  awaiting_advance_ = true;
  handed_ = Handed{};
  Ready rd;
  if (soft_state() != prev_soft_state_) {
    rd.soft_state = soft_state();
    prev_soft_state_ = soft_state();
  }
  HardState hs = hard_state();
  if (hs != prev_hard_state_) {
    rd.hard_state = hs;
    handed_.hard_state = hs;
    rd.must_sync = hs.term != prev_hard_state_.term || hs.vote != prev_hard_state_.vote;
  }
  if (pending_snapshot_) {
    rd.snapshot = std::move(*pending_snapshot_);
    pending_snapshot_.reset();
    handed_.snapshot = true;
    rd.must_sync = true;
  }
  rd.entries = log_.unstable_entries();
  if (!rd.entries.empty()) {
    handed_.stable_index = rd.entries.back().index;
    handed_.stable_term = rd.entries.back().term;
    rd.must_sync = true;
  }
  rd.messages = std::move(msgs_);
  msgs_.clear();
  unsent_read_round_ = 0;  // its heartbeats are on their way now
  rd.committed_entries = log_.next_committed(cfg_.ready_committed_entries_max);
  for (const auto& e : rd.committed_entries) {
    if (e.type == EntryType::conf_change) handed_.conf_changes.push_back(e);
  }
  if (!rd.committed_entries.empty()) handed_.applied = rd.committed_entries.back().index;
  rd.read_states = std::move(read_states_);
  read_states_.clear();
  return rd;
}

void Raft::advance() {
  CRATON_ASSERT(awaiting_advance_, "advance() without ready()");
  awaiting_advance_ = false;
  if (handed_.hard_state) prev_hard_state_ = *handed_.hard_state;
  if (handed_.stable_index > 0) log_.stable_to(handed_.stable_index, handed_.stable_term);
  for (const auto& e : handed_.conf_changes) {
    if (e.index > log_.applied()) apply_conf_change(e);
  }
  if (handed_.applied > 0) log_.applied_to(handed_.applied);
  handed_ = Handed{};
}

}  // namespace craton::raft
