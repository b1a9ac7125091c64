// Replica: one store replica's pure glue core. It owns the Raft state machine, the durable Raft
// log (storage::RaftLogStore) and the MVCC key-value store (storage::MvccStore), all in one LMDB
// environment under the data directory, and turns inputs into decisions:
//
//   step(raft message) / tick() / submit(client request)  -> immediate replies
//   flush()                                                -> messages to send, replies
//
// Promises:
// - Group commit: flush() drains every pending Raft Ready; each Ready's entries and hard state
//   are persisted with ONE RaftLogStore::save (one fsync) before its messages are handed out,
//   and its committed entries are applied with ONE MvccStore::apply_batch. A shell that calls
//   flush() once per burst of inputs batches all proposals of the burst into one sync.
// - A write is answered only after it is applied, with the MVCC result (errors unchanged). If
//   another entry took its log position (leader change) it is answered "proposal_dropped"
//   (certainly not applied); if nothing is known within request_timeout_ticks, "timeout".
// - Linearizable reads go through Raft's ReadIndex and are served once the read index is
//   applied; serializable reads and status are answered at once from local state.
// - Writes on a non-leader are refused with "not_leader" and the believed leader's id.
// - Pending requests are bounded (pending_max): beyond it, "busy".
// - After a crash, open() on the same directory recovers: Raft from the log store, the key
//   space from the MVCC store (whose applied index makes replaying entries harmless).
// - If the disk fails, failed() turns true and the replica does nothing more; the shell stops.
//
// - Log compaction (replica_snapshot.cpp): once the log holds more than snapshot_entries +
//   snapshot_catchup_entries applied entries past the last snapshot, a snapshot is recorded at
//   applied - snapshot_catchup_entries (metadata only: the MVCC state in LMDB is the data) and
//   the log, in memory and on disk, is compacted up to it; the catch-up entries stay so that
//   slightly slow followers still get entries instead of a snapshot.
// - Snapshot install: a Ready carrying a snapshot the MVCC store has not reached is held (not
//   persisted, not sent, not advanced) while a SnapshotReceiver pulls the serving replica's
//   whole state in chunks (fetches/chunks in ReplicaOutput; see snapshot_transfer.hpp). When
//   complete, the staged tables replace the live ones in one write transaction, the hook
//   after_snapshot_install() reloads everything derived from them, and the held Ready is
//   handled as usual (snapshot recorded in the log store with its hard state, then messages).
//   A crash before that leaves the old state; the staging directory is discarded at open.
//   While installing, the replica answers serializable reads from its old state and nothing
//   else moves forward. Pending writes the snapshot covers are answered "timeout" (unknown).
// - Serving snapshots: step_snapshot_fetch() answers from one read transaction per follower
//   (SnapshotSender) and reports the outcome to Raft (report_snapshot).
//
// Not implemented: membership changes after bootstrap. No CAF, no clock, no threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/store/raft.hpp"
#include "actors/store/snapshot_transfer.hpp"
#include "actors/store/store_protocol.hpp"
#include "storage/lmdb_env.hpp"
#include "storage/mvcc_store.hpp"
#include "storage/raft_log_store.hpp"

namespace craton::store {

struct ReplicaConfig {
  raft::NodeId id = 0;
  /// The cluster's voters at bootstrap (including id); the same on every restart.
  std::vector<raft::NodeId> voters;
  std::string data_dir;
  std::uint64_t seed = 0;
  int election_tick = 10;
  int heartbeat_tick = 1;
  int request_timeout_ticks = 50;  ///< a pending request older than this is answered "timeout"
  std::size_t pending_max = 4096;  ///< pending writes + pending linearizable reads
  std::size_t map_size_bytes = std::size_t{8} << 30;  ///< above the MVCC quota (2 GiB)
  bool no_sync = false;                               ///< tests and benchmarks only
  storage::MvccOptions mvcc;
  /// Applied entries past the last snapshot that trigger a new one (etcd's --snapshot-count).
  std::uint64_t snapshot_entries = 10'000;
  /// Entries kept below a new snapshot for slow followers (etcd keeps 5,000).
  std::uint64_t snapshot_catchup_entries = 5'000;
  SnapshotTransferConfig snapshot_transfer;
};

struct ClientReply {
  std::uint64_t request_id = 0;  ///< as given to submit()
  StoreReply reply;
};

struct ReplicaOutput {
  std::vector<raft::Message> messages;  ///< to other replicas, in order
  std::vector<ClientReply> replies;
  std::vector<SnapshotFetch> fetches;  ///< snapshot transfer: to the serving replica
  std::vector<SnapshotChunk> chunks;   ///< snapshot transfer: answers to fetches
};

class Replica {
 public:
  /// Opens (or creates) the data directory and restores the replica from it.
  static Result<std::unique_ptr<Replica>> open(ReplicaConfig config);

  /// A message from another replica; malformed ones are dropped (counted in dropped()).
  void step(raft::Message m);
  /// One logical tick; expires pending requests past their deadline.
  ReplicaOutput tick();
  /// A client request; `request_id` names it in the reply. Status, serializable reads and
  /// refusals are answered at once, the rest after a later flush().
  ReplicaOutput submit(std::uint64_t request_id, StoreRequest request);
  /// Persists, sends and applies everything pending (see the promises above).
  ReplicaOutput flush();
  /// Snapshot transfer messages from other replicas (replica_snapshot.cpp).
  ReplicaOutput step_snapshot_fetch(const SnapshotFetch& fetch);
  ReplicaOutput step_snapshot_chunk(const SnapshotChunk& chunk);
  /// True while a received snapshot is being fetched (the held Ready waits for it).
  bool installing() const { return held_.has_value(); }
  std::uint64_t snapshots_installed() const { return snapshots_installed_; }
  /// Where chunks of a snapshot being received are staged (removed at open).
  std::string staging_dir() const { return config_.data_dir + "/snapshot-staging"; }

  MemberStatus status() const;
  bool failed() const { return failure_.has_value(); }
  const std::optional<Error>& failure() const { return failure_; }
  std::uint64_t dropped() const { return dropped_; }
  std::size_t pending() const { return proposals_.size() + reads_.size(); }
  const raft::Raft& raft() const { return *raft_; }
  const storage::MvccStore& mvcc() const { return *mvcc_; }

 private:
  struct PendingWrite {
    std::uint64_t request_id = 0;
    std::uint64_t term = 0;  ///< the entry's term: another term at that index means dropped
    std::uint64_t deadline_tick = 0;
  };
  struct PendingRead {
    std::uint64_t request_id = 0;
    storage::RangeRequest range;
    std::uint64_t deadline_tick = 0;
    std::uint64_t read_index = 0;  ///< 0 until Raft hands out the ReadState
  };

  explicit Replica(ReplicaConfig config) : config_(std::move(config)) {}
  Status open_storage();
  StoreReply refuse(std::string code, std::string message) const;
  StoreReply read_now(const storage::RangeRequest& range) const;
  template <class Pending>
  void expire(Pending& pending, const char* message, ReplicaOutput& out);
  ReplicaOutput submit_read(std::uint64_t request_id, ReadRequest read);
  ReplicaOutput submit_write(std::uint64_t request_id, storage::WriteRequest write);
  Status handle_ready(raft::Ready& rd, ReplicaOutput& out);
  Status apply(const std::vector<raft::Entry>& entries, ReplicaOutput& out);
  void answer_write(const raft::Entry& e, Result<storage::WriteResponse> result,
                    ReplicaOutput& out);
  void serve_reads(ReplicaOutput& out);
  void fail(Error error);
  // snapshots (replica_snapshot.cpp)
  Status record_snapshot(const raft::Ready& rd);
  bool needs_install(const raft::Ready& rd) const;
  void hold_snapshot_ready(raft::Ready rd, ReplicaOutput& out);
  void tick_snapshots(ReplicaOutput& out);
  Status finish_install(ReplicaOutput& out);
  /// Called once the installed tables are live: reloads every in-memory view of them. Other
  /// components kept by the replica (watches, leases, sessions) must reload here too.
  Status after_snapshot_install();
  void maybe_compact();

  ReplicaConfig config_;
  std::optional<storage::Environment> env_;
  std::optional<storage::RaftLogStore> log_;
  std::optional<storage::MvccStore> mvcc_;
  std::optional<raft::Raft> raft_;
  std::map<std::uint64_t, PendingWrite> proposals_;  ///< by log index
  std::map<std::uint64_t, PendingRead> reads_;       ///< by read context
  std::uint64_t next_read_context_ = 1;
  std::uint64_t ticks_ = 0;
  std::uint64_t applied_ = 0;  ///< last committed entry handled (data or not)
  std::uint64_t dropped_ = 0;
  std::optional<Error> failure_;
  std::optional<raft::Ready> held_;  ///< a Ready with a snapshot, waiting for its install
  std::unique_ptr<SnapshotReceiver> receiver_;
  std::unique_ptr<SnapshotSender> sender_;
  std::uint64_t snapshots_installed_ = 0;
};

}  // namespace craton::store
