// ReplicaSnapshots: a replica's snapshot half (see "Log compaction", "Snapshot install" and
// "Serving snapshots" in replica.hpp). It decides when the log is compacted, holds a Raft
// snapshot message whose state the MVCC store lacks while a SnapshotReceiver pulls that state
// in chunks (Raft sees the message only afterwards, as in etcd), and serves other replicas'
// fetches through a SnapshotSender (snapshot_transfer.hpp). The Replica persists, applies and
// reloads; this part only decides and transfers.
//
// Promises:
// - compaction_index() names an index only once more than snapshot_entries +
//   snapshot_catchup_entries applied, stable entries lie past the last snapshot; it keeps the
//   catch-up entries and never passes a transfer in progress.
// - While installing() the held snapshot message is kept from Raft (which goes on voting and
//   answering heartbeats); take_installed() hands it back only after install() put the
//   staged tables live. One transfer at a time: later snapshot messages are not held.
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
#include "actors/store/snapshot/snapshot_transfer.hpp"
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

  /// True if `m` is a (valid) snapshot message past what the MVCC store applied
  /// (`mvcc_applied`): its state must be transferred before Raft may see it.
  bool needs_transfer(const raft::Message& m, std::uint64_t mvcc_applied) const;
  /// Holds `snap` (needs_transfer, !installing()) and starts receiving the state from its
  /// sender; returns the first fetch.
  Result<std::optional<SnapshotFetch>> hold(raft::Message snap, std::uint64_t now_tick);
  bool installing() const { return held_.has_value(); }
  /// The held snapshot message (installing() only).
  const raft::Message& held() const { return *held_; }
  /// Expires idle exports (reported to Raft as failed) and moves a stalled receive on;
  /// returns a fetch to send, if any.
  Result<std::optional<SnapshotFetch>> tick(raft::Raft& raft, std::uint64_t now_tick);
  /// True while chunks are expected (a transfer is in progress).
  bool receiving() const { return receiver_ != nullptr; }
  /// Takes a chunk (receiving() only); returns the next fetch, if any. Done once complete().
  Result<std::optional<SnapshotFetch>> on_chunk(const SnapshotChunk& chunk, std::uint64_t now_tick);
  bool complete() const { return receiver_ && receiver_->complete(); }
  /// The applied index of the received state (complete() only).
  std::uint64_t received_applied_index() const { return receiver_->applied_index(); }
  /// Puts the staged tables live in `env` (complete() only) and discards the staging
  /// directory; returns the snapshot's index.
  Result<std::uint64_t> install(storage::Environment& env);
  /// Abandons a transfer the replica no longer needs (its MVCC store reached the held
  /// snapshot on its own) and discards the staging directory; returns the held message.
  Result<raft::Message> drop_transfer();
  /// The held message, once its state is live; counts the install.
  raft::Message take_installed();
  std::uint64_t installed() const { return installed_; }

  /// Answers a fetch from `env`, whose state stands at `applied`, and reports the follower's
  /// activity and success to `raft`.
  std::vector<SnapshotChunk> serve(const SnapshotFetch& fetch, storage::Environment& env,
                                   raft::Raft& raft, std::uint64_t applied, std::uint64_t now_tick);

 private:
  ReplicaSnapshotConfig config_;
  std::optional<raft::Message> held_;  ///< a snapshot message, waiting for its state
  std::unique_ptr<SnapshotReceiver> receiver_;
  SnapshotSender sender_;
  std::uint64_t installed_ = 0;
};

}  // namespace craton::store
