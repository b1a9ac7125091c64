// RaftLog: one replica's log in memory, starting after the last snapshot (the compaction
// offset), with the commit, applied and stable (persisted) positions.
//
// Promises (asserted): entries are contiguous and start at snapshot().index + 1;
// applied <= committed <= last_index(); a committed entry is never truncated; stable() never
// exceeds last_index(). Entries after stable() are what the caller still has to persist.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "actors/store/raft/raft_types.hpp"

namespace craton::raft {

class RaftLog {
 public:
  /// Restores a log from storage: the snapshot position and the entries after it (which the
  /// caller read back from disk, so they are all stable).
  RaftLog(const SnapshotMeta& snapshot, std::vector<Entry> entries);

  std::uint64_t first_index() const { return snapshot_index_ + 1; }
  std::uint64_t last_index() const { return snapshot_index_ + entries_.size(); }
  std::uint64_t last_term() const { return term(last_index()).value(); }
  std::uint64_t snapshot_index() const { return snapshot_index_; }
  std::uint64_t snapshot_term() const { return snapshot_term_; }
  std::uint64_t committed() const { return committed_; }
  std::uint64_t applied() const { return applied_; }
  std::uint64_t stable() const { return stable_; }

  /// Term of entry `index`, or nullopt when compacted away or not yet written.
  std::optional<std::uint64_t> term(std::uint64_t index) const;
  bool match_term(std::uint64_t index, std::uint64_t t) const { return term(index) == t; }
  /// The entry at `index`. Precondition: first_index() <= index <= last_index().
  const Entry& at(std::uint64_t index) const;
  /// Is a log ending at (index, t) at least as up-to-date as this one (Raft 5.4.1)?
  bool is_up_to_date(std::uint64_t index, std::uint64_t t) const;

  /// Leader side: appends new entries after last_index(); returns the new last index.
  std::uint64_t append(std::vector<Entry> entries);
  /// Follower side: if the entry before `entries` matches (prev_index, prev_term), resolves
  /// conflicts, appends, advances commit to min(leader_commit, last new index) and returns that
  /// last new index; otherwise nullopt. Never truncates committed entries.
  std::optional<std::uint64_t> maybe_append(std::uint64_t prev_index, std::uint64_t prev_term,
                                            std::uint64_t leader_commit,
                                            std::vector<Entry> entries);
  /// Walks back from `index` to the last entry whose term is <= `t` (fast log back-off);
  /// returns that index (it may be the snapshot index or 0).
  std::uint64_t find_conflict_by_term(std::uint64_t index, std::uint64_t t) const;

  /// Entries in [lo, hi], at most max_count and about max_bytes (always at least one).
  /// Precondition: first_index() <= lo.
  std::vector<Entry> slice(std::uint64_t lo, std::uint64_t hi, std::size_t max_count,
                           std::size_t max_bytes) const;
  /// Entries not yet persisted.
  std::vector<Entry> unstable_entries() const;
  /// Committed entries the caller has not been given yet, at most max_count.
  std::vector<Entry> next_committed(std::size_t max_count) const;
  bool has_next_committed() const;

  void commit_to(std::uint64_t index);
  void applied_to(std::uint64_t index);
  /// Entries up to (index, t) are durable, unless the log changed there since.
  void stable_to(std::uint64_t index, std::uint64_t t);
  /// Drops entries up to `index`, which a snapshot now covers. Precondition:
  /// snapshot_index() < index <= applied().
  void compact_to(std::uint64_t index);
  /// Replaces the whole log by a snapshot received from the leader.
  void restore(const SnapshotMeta& snapshot);

 private:
  void truncate_and_append(std::vector<Entry> entries);
  void check_invariants() const;

  std::uint64_t snapshot_index_ = 0;
  std::uint64_t snapshot_term_ = 0;
  std::vector<Entry> entries_;
  std::uint64_t committed_ = 0;
  std::uint64_t applied_ = 0;
  std::uint64_t stable_ = 0;
};

}  // namespace craton::raft
