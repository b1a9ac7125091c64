// Progress: what a leader knows about one follower's log, and how it paces replication to it.
//
// A follower is in one of three states (as in etcd's raft):
//   probe      the leader does not know where the logs match; it sends one append at a time
//              and waits for the answer (or a heartbeat response) before the next;
//   replicate  the logs match up to `match`; the leader streams appends optimistically
//              (pipelining), at most `inflight_appends_max` unacknowledged messages at once;
//   snapshot   the follower needs a snapshot; nothing else is sent until it is installed or
//              the send is reported failed.
// Promises: match < next; the in-flight window never holds more than its bound.
#pragma once

#include <cstdint>
#include <deque>

namespace craton::raft {

/// Last indexes of the appends sent but not yet acknowledged, oldest first, bounded.
class Inflights {
 public:
  explicit Inflights(std::size_t max) : max_(max) {}
  bool full() const { return window_.size() >= max_; }
  std::size_t count() const { return window_.size(); }
  /// Records an append ending at `last_index`. Precondition: !full().
  void add(std::uint64_t last_index);
  /// Forgets every append ending at or before `index` (acknowledged).
  void free_to(std::uint64_t index);
  void reset() { window_.clear(); }

 private:
  std::size_t max_;
  std::deque<std::uint64_t> window_;
};

enum class ProgressState : std::uint8_t { probe, replicate, snapshot };
const char* to_string(ProgressState state);

class Progress {
 public:
  Progress(std::uint64_t next, std::size_t inflight_appends_max, bool learner)
      : next(next), is_learner(learner), inflights(inflight_appends_max) {}

  std::uint64_t match = 0;
  std::uint64_t next = 1;
  ProgressState state = ProgressState::probe;
  bool probe_sent = false;             ///< probe state: an append is outstanding
  std::uint64_t pending_snapshot = 0;  ///< snapshot state: index of the snapshot sent
  int snapshot_heartbeats = 0;         ///< snapshot state: heartbeat answers since it was sent
  bool recent_active = false;          ///< heard from since the last check-quorum round
  bool is_learner = false;
  Inflights inflights;

  void become_probe();
  void become_replicate();
  void become_snapshot(std::uint64_t snapshot_index);

  /// An ack for `index` arrived; returns true if it taught us something new.
  bool maybe_update(std::uint64_t index);
  /// After an optimistic send of entries ending at `last` (replicate state).
  void sent_entries(std::uint64_t last);
  /// A rejection of the append after `rejected`; `match_hint` is the follower's guess of the
  /// last matching index. Returns false if the rejection is stale.
  bool maybe_decrease_to(std::uint64_t rejected, std::uint64_t match_hint);
  /// Should the leader hold off sending appends?
  bool is_paused() const;
};

}  // namespace craton::raft
