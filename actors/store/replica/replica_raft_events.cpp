// Replica's RaftEvent recording (see raft_event.hpp and ReplicaConfig::record_raft_events).
// Kept apart from replica.cpp, which calls these at five points: the end of open_storage,
// after each step and tick (leadership), after each Ready is persisted and after it is applied.
#include "actors/store/replica/replica.hpp"

namespace craton::store {
namespace {

RaftEvent event(RaftEventKind kind, std::uint64_t index, std::uint64_t term = 0) {
  RaftEvent e;
  e.kind = kind;
  e.index = index;
  e.term = term;
  return e;
}

}  // namespace

// What open_storage restored from disk (not the bootstrap entries Raft has yet to persist).
void Replica::record_opened() {
  if (!config_.record_raft_events) return;
  RaftEvent e = event(RaftEventKind::opened, log_->last_index());
  const auto& snapshot = log_->snapshot();
  e.term = snapshot.term;
  if (auto term = log_->term(e.index); e.index > snapshot.index && term) e.term = *term;
  e.commit = log_->hard_state().commit;
  e.applied = applied_;
  e.snapshot_index = snapshot.index;
  commit_recorded_ = e.commit;
  raft_events_.push_back(std::move(e));
}

void Replica::record_leadership() {
  if (!config_.record_raft_events || raft_->role() != raft::Role::leader) return;
  if (raft_->term() == leader_term_recorded_) return;
  leader_term_recorded_ = raft_->term();
  raft_events_.push_back(event(RaftEventKind::leader, 0, raft_->term()));
}

// In the order RaftLogStore::save made them durable: snapshot, entries, then the hard state.
void Replica::record_persisted(const raft::Ready& rd) {
  if (!config_.record_raft_events) return;
  if (rd.snapshot)
    raft_events_.push_back(
        event(RaftEventKind::snapshot, rd.snapshot->meta.index, rd.snapshot->meta.term));
  if (!rd.entries.empty()) {
    auto e = event(RaftEventKind::persisted, rd.entries.front().index);
    e.entries = digests(rd.entries);
    raft_events_.push_back(std::move(e));
  }
  if (rd.hard_state && rd.hard_state->commit > commit_recorded_) {
    commit_recorded_ = rd.hard_state->commit;
    raft_events_.push_back(
        event(RaftEventKind::committed, rd.hard_state->commit, rd.hard_state->term));
  }
}

void Replica::record_applied(const std::vector<raft::Entry>& entries) {
  if (!config_.record_raft_events || entries.empty()) return;
  auto e = event(RaftEventKind::applied, entries.front().index);
  e.entries = digests(entries);
  raft_events_.push_back(std::move(e));
}

}  // namespace craton::store
