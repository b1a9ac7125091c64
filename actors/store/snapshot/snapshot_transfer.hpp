// Snapshot transfer: how a follower that Raft sent a snapshot obtains the whole MVCC state of
// another replica, in chunks small enough for one message each (envelopes are limited to
// 4 MiB). Pure logic over storage/ (TableExport, SnapshotStaging): no CAF, no clock (ticks
// are given), no I/O besides LMDB.
//
//   follower (SnapshotReceiver)                     serving replica (SnapshotSender)
//   SnapshotFetch{id, seq 0, after: start,   ->     begins ONE read transaction (an export)
//                 window W}
//                                           <-      SnapshotChunk{id, seq 0, applied A, records}
//                                           <-      ... up to W chunks, seq 0..W-1, in order
//   SnapshotFetch{id, seq W, after: last}    ->     next records from the same transaction
//   ...                                     <-      SnapshotChunk{..., done}
//
// A window of chunks per fetch, because a transfer is as slow as its round trips: with one
// chunk per fetch a follower 40 MiB behind on a 200 ms path needs 8 s, long enough to fall
// behind again.
//
// Promises:
// - Consistent: all chunks of a transfer come from one read transaction of the server, a view
//   at its applied index A (A >= the snapshot index, else it refuses). The receiver checks
//   that every chunk carries the same A and id and stores chunks strictly in sequence: a chunk
//   that arrives early (inside the window) waits for the ones before it; duplicates and
//   stale answers are ignored.
// - Bounded: chunks hold about chunk_bytes_max of records; a server holds at most one export
//   per follower and transfers_max in all, and drops an export idle for idle_ticks_max (LMDB
//   cannot reuse pages while a reader lives). At most window_chunks chunks answer one fetch
//   (so at most that many are in flight per transfer). A receiver resends a fetch (from the
//   first chunk it lacks) after fetch_timeout_ticks without progress and restarts the whole
//   transfer (fresh staging, new id) after fetch_retries_max resends (after the first when no
//   leader is known: the silent source may be the leader that died), or refused_restart_ticks
//   after a refusal (from the same source if it only forgot the transfer, else the next).
// - Crash-safe: the receiver writes into a SnapshotStaging directory that nothing else reads;
//   only the replica's final install (one write transaction) changes live data.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "actors/store/codec/snapshot_messages.hpp"
#include "actors/store/raft/raft_types.hpp"
#include "runtime/result.hpp"
#include "storage/lmdb_env.hpp"
#include "storage/snapshot_staging.hpp"
#include "storage/table_export.hpp"

namespace craton::store {

/// Limits of both sides (see the promises above).
struct SnapshotTransferConfig {
  std::size_t chunk_bytes_max = std::size_t{1} << 20;
  std::uint32_t window_chunks = 4;  ///< chunks per fetch (asked by receivers, capped by senders)
  std::size_t transfers_max = 8;
  std::uint64_t idle_ticks_max = 100;
  std::uint64_t fetch_timeout_ticks = 20;
  int fetch_retries_max = 3;
  std::uint64_t refused_restart_ticks = 2;  ///< after the fetch that was refused
  /// Tables a snapshot never carries: the Raft log store's own (the replica names them).
  std::set<std::string> excluded_tables;
};

/// The refusal of a fetch for a transfer the sender no longer holds (it expired): the sender
/// itself can serve a new one.
inline constexpr const char* kUnknownTransferRefusal = "unknown transfer: restart it";

/// The serving side: one export per follower.
class SnapshotSender {
 public:
  explicit SnapshotSender(SnapshotTransferConfig config) : config_(config) {}

  struct Served {
    std::vector<SnapshotChunk> chunks;  ///< in sequence; one refusal, or up to the window
    bool finished = false;              ///< this answer completed the transfer (report it to Raft)
  };
  /// Answers `fetch` from `env`, whose state stands at applied index `applied` (term
  /// `applied_term`). Refusals are chunks with `error` set.
  Served serve(const SnapshotFetch& fetch, storage::Environment& env, std::uint64_t applied,
               std::uint64_t applied_term, std::uint64_t now_tick);
  /// Drops exports idle for too long; returns the followers whose transfer did not finish.
  std::vector<raft::NodeId> expire(std::uint64_t now_tick);
  std::size_t active() const { return exports_.size(); }
  /// The lowest applied index among the exports still held (in progress, or finished and not
  /// yet expired: the follower may still be installing it); none: nothing to hold back.
  std::optional<std::uint64_t> oldest_export() const;

 private:
  struct Export {
    std::uint64_t transfer_id = 0;
    std::uint64_t applied = 0, applied_term = 0;
    std::uint64_t last_tick = 0;
    bool finished = false;
    std::unique_ptr<storage::TableExport> tables;
  };
  Served refuse(const SnapshotFetch& fetch, std::string why) const;

  SnapshotTransferConfig config_;
  std::map<raft::NodeId, Export> exports_;
};

/// The receiving side of one snapshot: fetches chunks into a staging area until complete.
class SnapshotReceiver {
 public:
  SnapshotReceiver(SnapshotTransferConfig config, storage::StagingOptions staging,
                   raft::NodeId self, std::uint64_t snapshot_index, std::uint64_t id_base)
      : config_(config),
        staging_options_(std::move(staging)),
        self_(self),
        snapshot_index_(snapshot_index),
        next_id_(id_base) {}

  /// Starts (or restarts) the transfer from `source`; returns the first fetch.
  Result<SnapshotFetch> start(raft::NodeId source, std::uint64_t now_tick);
  /// Takes a chunk. Returns the next fetch (when the window is stored), or nothing (waiting
  /// for more of the window, ignored, refused, or complete()).
  Result<std::optional<SnapshotFetch>> on_chunk(const SnapshotChunk& chunk, std::uint64_t now_tick);
  /// A fetch to resend (from the first missing chunk) or a restarted transfer, when progress
  /// is overdue.
  /// A restart asks `lead` unless it is the source that just failed, else the next of `peers`
  /// after it: any replica that applied the snapshot index can serve (its applied state is
  /// committed), and one must when the leader is gone.
  Result<std::optional<SnapshotFetch>> tick(raft::NodeId lead,
                                            const std::vector<raft::NodeId>& peers,
                                            std::uint64_t now_tick);

  bool complete() const { return complete_; }
  std::uint64_t snapshot_index() const { return snapshot_index_; }
  std::uint64_t applied_index() const { return applied_; }
  raft::NodeId source() const { return fetch_.to; }
  int restarts() const { return restarts_; }
  /// The staged state; valid once complete().
  storage::SnapshotStaging& staging() { return *staging_; }

 private:
  SnapshotTransferConfig config_;
  storage::StagingOptions staging_options_;
  raft::NodeId self_;
  std::uint64_t snapshot_index_;
  std::uint64_t next_id_;
  std::optional<storage::SnapshotStaging> staging_;
  /// Stores `chunk`, the next in sequence.
  Status accept(const SnapshotChunk& chunk, std::uint64_t now_tick);

  SnapshotFetch fetch_;                           ///< the outstanding request
  std::uint64_t next_seq_ = 0;                    ///< the next chunk to store
  storage::TablePosition next_after_;             ///< where that chunk starts
  std::map<std::uint64_t, SnapshotChunk> early_;  ///< chunks of the window ahead of next_seq_
  std::uint64_t sent_tick_ = 0;                   ///< last fetch or progress
  int resends_ = 0;
  int restarts_ = -1;
  bool refused_ = false;
  bool source_forgot_ = false;  ///< the refusal was kUnknownTransferRefusal
  bool complete_ = false;
  std::uint64_t applied_ = 0;  ///< A of the current transfer (0 before its first chunk)
};

}  // namespace craton::store
