// ReplicaSnapshots: a replica's snapshot half (see "Log compaction", "Snapshot install" and
// "Serving snapshots" in replica.hpp). It decides when the log is compacted, holds a Ready
// whose snapshot the MVCC store has not reached while a SnapshotReceiver pulls the state in
// chunks, and serves other replicas' fetches through a SnapshotSender
// (snapshot_transfer.hpp). The Replica persists, applies and reloads; this part only decides
// and transfers.
//
// Promises:
// - compaction_index() names an index only once more than snapshot_entries +
//   snapshot_catchup_entries applied, stable entries lie past the last snapshot; it keeps the
//   catch-up entries and never passes a transfer in progress.
// - While installing() nothing else should move forward: the held Ready is handed back by
//   take_installed() only after install() put the staged tables live.
// - Serving reports each follower's outcome to Raft once: success when its last chunk goes
//   out, failure when its export expires unfinished.
// - Errors are values; a bad chunk is refused and the transfer restarts at a later tick.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/store/raft/raft.hpp"
#include "actors/store/replica/snapshot_transfer.hpp"
#include "storage/lmdb_env.hpp"

namespace craton::store {

struct ReplicaSnapshotConfig {
  raft::NodeId self = 0;
  std::uint64_t seed = 0;   ///< with ticks and the index, makes transfer ids differ on restart
  std::string staging_dir;  ///< where a received snapshot's chunks are staged
  std::size_t map_size_bytes = 0;  ///< of the staging environment
  /// Applied entries past the last snapshot that trigger a new one (0: never).
  std::uint64_t snapshot_entries = 10'000;
  /// Entries kept below a new snapshot for slow followers.
  std::uint64_t snapshot_catchup_entries = 5'000;
  SnapshotTransferConfig transfer;
};

class ReplicaSnapshots {
 public:
  explicit ReplicaSnapshots(ReplicaSnapshotConfig config);

  /// The index to snapshot and compact the log up to, if it is time (see the promises).
  std::optional<std::uint64_t> compaction_index(const raft::RaftLog& log) const;

  /// True if `rd` carries a snapshot past what the MVCC store applied (`mvcc_applied`).
  bool needs_install(const raft::Ready& rd, std::uint64_t mvcc_applied) const;
  /// Holds `rd` (needs_install) and starts receiving its snapshot from `lead`; returns the
  /// first fetch, or nothing when no other leader is known yet (tick() starts it later).
  Result<std::optional<SnapshotFetch>> hold(raft::Ready rd, raft::NodeId lead,
                                            std::uint64_t now_tick);
  bool installing() const { return held_.has_value(); }
  /// The held Ready (installing() only).
  const raft::Ready& held() const { return *held_; }
  /// Expires idle exports (reported to Raft as failed) and moves a stalled receive on;
  /// returns a fetch to send, if any.
  Result<std::optional<SnapshotFetch>> tick(raft::Raft& raft, std::uint64_t now_tick);
  /// True while chunks are expected (a transfer is in progress).
  bool receiving() const { return receiver_ != nullptr; }
  /// Takes a chunk (receiving() only); returns the next fetch, if any. Done once complete().
  Result<std::optional<SnapshotFetch>> on_chunk(const SnapshotChunk& chunk, std::uint64_t now_tick);
  bool complete() const { return receiver_ && receiver_->complete(); }
  /// Puts the staged tables live in `env` (complete() only) and discards the staging
  /// directory; returns the snapshot's index.
  Result<std::uint64_t> install(storage::Environment& env);
  /// The held Ready, once its snapshot is live; counts the install.
  raft::Ready take_installed();
  std::uint64_t installed() const { return installed_; }

  /// Answers a fetch from `env`, whose state stands at `applied`, and reports the follower's
  /// activity and success to `raft`.
  std::vector<SnapshotChunk> serve(const SnapshotFetch& fetch, storage::Environment& env,
                                   raft::Raft& raft, std::uint64_t applied, std::uint64_t now_tick);

 private:
  ReplicaSnapshotConfig config_;
  std::optional<raft::Ready> held_;  ///< a Ready with a snapshot, waiting for its install
  std::unique_ptr<SnapshotReceiver> receiver_;
  SnapshotSender sender_;
  std::uint64_t installed_ = 0;
};

}  // namespace craton::store
