// RaftLogStore: the durable half of a Raft replica in LMDB: hard state, log entries, snapshot
// metadata, and the compacted log prefix.
//
// Promises:
// - save(hard_state, entries) is group commit: the entries (replacing any conflicting suffix)
//   and the hard state go to disk in ONE write transaction, so one fsync covers a whole batch
//   of proposals. When save() returns ok, all of it is durable; when it fails, none of it is
//   visible, on disk or in this object. One exception, as etcd's MustSync: a save with no
//   entries whose hard state moves only the commit index is written with deferred durability
//   (storage/lmdb_txn.hpp): an OS crash may take it back to an older commit index, which is
//   safe (commit is learned again from the leader), and the next synced write makes it durable.
// - After a process crash, open() returns exactly what the last successful save() left; after
//   an OS crash, at most the deferred commit-only saves since the last synced write are lost.
// - The log is contiguous: indexes first_index()..last_index() are all present. Entry
//   first_index()-1 is the "log start" (the last compacted or snapshotted entry); only its
//   term is kept so that Raft can still check log matching against it.
// - Single writer: one RaftLogStore per environment, used from one actor at a time. The
//   Environment must outlive the store. Reads use short read transactions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "actors/store/raft/raft_types.hpp"
#include "runtime/result.hpp"
#include "storage/lmdb_env.hpp"

namespace craton::store {

class RaftLogStore {
 public:
  /// The named databases the log store keeps (a snapshot of the state machine excludes them).
  static constexpr const char* kLogDatabase = "raft_log";
  static constexpr const char* kMetaDatabase = "raft_meta";

  /// Opens (or creates) the log kept in `env` under the databases "raft_log" and "raft_meta".
  static Result<RaftLogStore> open(storage::Environment& env);

  /// Persists `entries` and, when set, `hard_state` in one transaction. Entries must have
  /// consecutive indexes and non-decreasing terms; the first may be at most last_index()+1.
  /// Existing entries from entries[0].index on are replaced (Raft's conflict truncation).
  /// Entries at or below the log start are already compacted and are skipped.
  Status save(const std::optional<raft::HardState>& hard_state,
              std::span<const raft::Entry> entries);

  /// Records a snapshot taken (or received) at meta.index, optionally with `hard_state` in the
  /// same transaction. If the log holds meta.index with meta.term the log stays as it is (trim
  /// it with compact()); otherwise the whole log is dropped and restarts after meta.index (the
  /// snapshot supersedes it, as when a leader sends one). Error "stale" for a snapshot not
  /// newer than the current one.
  Status save_snapshot(const raft::SnapshotMeta& meta,
                       const std::optional<raft::HardState>& hard_state = std::nullopt);

  /// Drops entries up to and including `index`, which must be covered by the snapshot
  /// (first_index()-1 <= index <= snapshot().index), so the log stays restorable: a replica
  /// restarts from snapshot() plus entries(snapshot().index + 1, last_index() + 1).
  Status compact(std::uint64_t index);

  /// Entries in [lo, hi), stopping once their data exceeds max_bytes (always at least one
  /// entry when lo < hi). Errors: "compacted" when lo < first_index(), "unavailable" when
  /// hi > last_index()+1.
  Result<std::vector<raft::Entry>> entries(std::uint64_t lo, std::uint64_t hi,
                                           std::size_t max_bytes = SIZE_MAX) const;

  /// The term of entry `index`, for first_index()-1 <= index <= last_index().
  Result<std::uint64_t> term(std::uint64_t index) const;

  std::uint64_t first_index() const { return start_index_ + 1; }
  std::uint64_t last_index() const { return last_index_; }
  const raft::HardState& hard_state() const { return hard_state_; }
  const raft::SnapshotMeta& snapshot() const { return snapshot_; }

 private:
  RaftLogStore(storage::Environment& env, storage::Database log, storage::Database meta)
      : env_(&env), log_(log), meta_(meta) {}
  Status load();
  Status check_append(std::span<const raft::Entry> entries) const;
  Status drop_from(storage::WriteTxn& txn, std::uint64_t index) const;
  Status drop_through(storage::WriteTxn& txn, std::uint64_t index) const;
  Status put_start(storage::WriteTxn& txn, std::uint64_t index, std::uint64_t term) const;

  storage::Environment* env_;
  storage::Database log_;
  storage::Database meta_;
  raft::HardState hard_state_;
  raft::SnapshotMeta snapshot_;
  std::uint64_t start_index_ = 0;  ///< the last compacted entry (0: nothing compacted)
  std::uint64_t start_term_ = 0;
  std::uint64_t last_index_ = 0;
  std::uint64_t last_term_ = 0;  ///< term of last_index_, cached: Raft asks for it constantly
};

}  // namespace craton::store
