// RaftEventRecorder: the replica's RaftEvents for the simulator's invariant checker.
#include "actors/store/replica/raft_event_recorder.hpp"

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

void RaftEventRecorder::opened(const RaftLogStore& log, std::uint64_t applied) {
  if (!enabled_) return;
  RaftEvent e = event(RaftEventKind::opened, log.last_index());
  const auto& snapshot = log.snapshot();
  e.term = snapshot.term;
  if (auto term = log.term(e.index); e.index > snapshot.index && term) e.term = *term;
  e.commit = log.hard_state().commit;
  e.applied = applied;
  e.snapshot_index = snapshot.index;
  commit_recorded_ = e.commit;
  events_.push_back(std::move(e));
}

void RaftEventRecorder::leadership(const raft::Raft& raft) {
  if (!enabled_ || raft.role() != raft::Role::leader) return;
  if (raft.term() == leader_term_recorded_) return;
  leader_term_recorded_ = raft.term();
  events_.push_back(event(RaftEventKind::leader, 0, raft.term()));
}

void RaftEventRecorder::persisted(const raft::Ready& rd) {
  if (!enabled_) return;
  if (rd.snapshot)
    events_.push_back(
        event(RaftEventKind::snapshot, rd.snapshot->meta.index, rd.snapshot->meta.term));
  if (!rd.entries.empty()) {
    auto e = event(RaftEventKind::persisted, rd.entries.front().index);
    e.entries = digests(rd.entries);
    events_.push_back(std::move(e));
  }
  if (rd.hard_state && rd.hard_state->commit > commit_recorded_) {
    commit_recorded_ = rd.hard_state->commit;
    events_.push_back(event(RaftEventKind::committed, rd.hard_state->commit, rd.hard_state->term));
  }
}

void RaftEventRecorder::applied(const std::vector<raft::Entry>& entries) {
  if (!enabled_ || entries.empty()) return;
  auto e = event(RaftEventKind::applied, entries.front().index);
  e.entries = digests(entries);
  events_.push_back(std::move(e));
}

}  // namespace craton::store
