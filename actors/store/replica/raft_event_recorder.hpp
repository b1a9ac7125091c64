// RaftEventRecorder: what one replica tells the simulator's invariant checker about its Raft
// state (raft_event.hpp), recorded at five points of the Replica's life: once after open, after
// each step and tick (a term led), and for each Ready when it is persisted and when it is
// applied.
//
// Promises: disabled, it records nothing and hashes nothing (every call returns at once);
// enabled, events come out of take() in the order they happened, a leader term is recorded
// once, and a commit index only when it moves forward. It only reads what it is given.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "actors/store/raft/raft.hpp"
#include "actors/store/raft/raft_event.hpp"
#include "actors/store/replica/raft_log_store.hpp"

namespace craton::store {

class RaftEventRecorder {
 public:
  explicit RaftEventRecorder(bool enabled) : enabled_(enabled) {}

  /// What open restored from disk (not the bootstrap entries Raft has yet to persist).
  void opened(const RaftLogStore& log, std::uint64_t applied);
  /// A term this replica leads, once per term.
  void leadership(const raft::Raft& raft);
  /// A Ready made durable, in the order RaftLogStore::save did it: snapshot, entries, commit.
  void persisted(const raft::Ready& rd);
  /// Committed entries applied to the MVCC store.
  void applied(const std::vector<raft::Entry>& entries);
  /// The events recorded since the last call, in order.
  std::vector<RaftEvent> take() { return std::exchange(events_, {}); }

 private:
  bool enabled_ = false;
  std::vector<RaftEvent> events_;
  std::uint64_t leader_term_recorded_ = 0;  ///< last term recorded as led
  std::uint64_t commit_recorded_ = 0;       ///< last durable commit index recorded
};

}  // namespace craton::store
