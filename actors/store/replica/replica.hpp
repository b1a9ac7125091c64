// Replica: one store replica's pure glue core. It owns the Raft state machine, the durable Raft
// log (RaftLogStore) and the MVCC key-value store (storage::MvccStore), all in one LMDB
// environment under the data directory, and turns inputs into decisions:
//
//   step(raft message) / tick() / submit(client request)  -> immediate replies (and fetches)
//   flush()                                                -> messages to send, replies
//
// Promises:
// - Group commit: flush() drains every pending Raft Ready; each Ready's entries and hard state
//   are persisted with ONE RaftLogStore::save (one fsync) before its messages are handed out,
//   and its committed entries are applied with ONE MvccStore::apply_batch. A shell that calls
//   flush() once per burst of inputs batches all proposals of the burst into one sync.
//   Exception (Raft thesis 10.2.1, etcd's raft): a leader's appends, heartbeats, snapshots and
//   timeout_now go to the early sender (set_early_sender) BEFORE the save, so that the
//   followers' fsyncs overlap the leader's own. Safe because nothing is acknowledged, applied
//   or counted from them before the save returns: the flush blocks until it does, and the
//   leader's term and vote were synced before it could win.
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
// - Leases (etcd's lessor, lease/lease_keeper.hpp, bound to the log by replica_leases.hpp): grants
// and revokes go through the
//   log; every replica mirrors them into its LeaseKeeper on apply. Only the leader decides
//   expiry: advance_clock(now_ms) brings the replica's only notion of time (the shell passes
//   ActorEnv time, the simulator simulated time), and every lease_check_ms the leader proposes
//   a LeaseRevoke entry for each expired lease, so attached keys vanish on every replica
//   through the log. A new leader extends every lease by one election timeout plus its TTL.
//   Keep-alive, time-to-live and list are answered by the leader only ("not_leader" with a
//   hint elsewhere, like writes); they are not logged. Until the first advance_clock() the
//   replica makes no expiry decision (it would not know what "now" is).
// - Membership (etcd's member add/remove/promote/list, move-leader): changes are accepted by
//   the leader only, one at a time, checked first (duplicate id or address, bad address,
//   removing the last voter, promoting a lagging learner are refused and change nothing), and
//   answered with the resulting MemberList after their conf change entry applies. Members'
//   addresses travel in the entries (member_directory.hpp, kept by replica_members.hpp). A removed
//   replica answers "removed" and reports removed(); its shell shuts it down.
// - A write submitted with a client session is applied at most once (storage/session_table.hpp):
//   a copy of one already applied is answered "duplicate" (or "stale_sequence"), at once when
//   the leader's applied state already shows it, else when its log entry is applied. Writes
//   without a session are applied as often as they arrive.
// - Watches (watch(), replica_watches.hpp): every replica serves them from its own
//   applied state through a WatchHub (etcd semantics, see watch_hub.hpp). A stream is one
//   client, named by a StreamId its shell chooses. Responses come out in ReplicaOutput::watch
//   after each apply batch and each tick; a batch ends before a compaction entry so the hub
//   reads every revision first. Streams and watches are bounded (watch_streams_max,
//   watch_stream_watches_max); a stream that sends no watch request for watch_idle_ticks is
//   closed (its client keeps it alive with watch progress requests) and listed in
//   ReplicaOutput::closed_streams.
// - Log compaction (snapshot/replica_snapshots.hpp): once the log holds more than snapshot_entries
// +
//   snapshot_catchup_entries applied entries past the last snapshot, a snapshot is recorded at
//   applied - snapshot_catchup_entries (metadata only: the MVCC state in LMDB is the data) and
//   the log, in memory and on disk, is compacted up to it; the catch-up entries stay so that
//   slightly slow followers still get entries instead of a snapshot.
// - Snapshot install (etcd's order): a Raft snapshot message whose state the MVCC store has
//   not reached is held back from Raft while a SnapshotReceiver pulls the sender's whole
//   state in chunks (fetches/chunks in ReplicaOutput; see snapshot/snapshot_transfer.hpp).
//   Meanwhile Raft runs as usual: it votes and acknowledges heartbeats, so a transfer never costs
//   the cluster its quorum. When complete, the staged tables replace the live ones in one write
//   transaction, the hook after_snapshot_install() reloads everything derived from them, and
//   only then is the message stepped into Raft, which restores its log from it; the next
//   flush records the snapshot with its hard state. Raft therefore never hands out a snapshot
//   the MVCC store lacks (asserted). If the log caught the replica up in the meantime, the
//   transfer is dropped instead. A crash before the install leaves the old state; the staging
//   directory is discarded at open. Pending writes the snapshot covers are answered
//   "timeout" (unknown).
// - Serving snapshots: step_snapshot_fetch() answers from one read transaction per follower
//   (SnapshotSender) and reports the outcome to Raft (report_snapshot).
// - Member addresses live in conf change entries and, once those are compacted, in the
//   snapshot's metadata (SnapshotMeta::addresses), so a restart or an install keeps them.
// - Quota (write_quota.hpp): a leader refuses, before proposing, a write that would take its
//   applied data past quota_bytes ("no_space"); reads, deletes, compactions still pass.
//
// No CAF, no clock, no threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "actors/store/codec/store_protocol.hpp"
#include "actors/store/lease/lease_keeper.hpp"
#include "actors/store/members/replica_members.hpp"
#include "actors/store/raft/raft.hpp"
#include "actors/store/raft/raft_event.hpp"
#include "actors/store/replica/auto_compactor.hpp"
#include "actors/store/replica/raft_event_recorder.hpp"
#include "actors/store/replica/raft_log_store.hpp"
#include "actors/store/replica/replica_leases.hpp"
#include "actors/store/replica/replica_output.hpp"
#include "actors/store/replica/replica_stats.hpp"
#include "actors/store/replica/replica_watches.hpp"
#include "actors/store/replica/write_quota.hpp"
#include "actors/store/snapshot/replica_snapshots.hpp"
#include "actors/store/snapshot/snapshot_transfer.hpp"
#include "actors/store/watch/watch_hub.hpp"
#include "storage/lmdb_env.hpp"
#include "storage/mvcc_store.hpp"

namespace craton::store {

struct ReplicaConfig {
  raft::NodeId id = 0;
  /// The cluster's voters at bootstrap (including id); the same on every restart.
  std::vector<raft::NodeId> voters;
  /// Addresses ("host:port") from --peers or --join; at bootstrap they go into the log with
  /// the initial members, so replicas added later learn them (see member_directory.hpp).
  std::map<raft::NodeId, std::string> peer_addresses;
  std::string data_dir;
  std::uint64_t seed = 0;
  int election_tick = 10;
  int heartbeat_tick = 1;
  int request_timeout_ticks = 50;  ///< a pending request older than this is answered "timeout"
  std::size_t pending_max = 4096;  ///< pending writes + pending linearizable reads
  std::size_t map_size_bytes = std::size_t{8} << 30;  ///< above the MVCC quota (2 GiB)
  bool no_sync = false;                               ///< tests and benchmarks only
  std::shared_ptr<storage::DiskFaults> disk_faults;   ///< the simulator's disk; null otherwise
  storage::MvccOptions mvcc;
  /// Record RaftEvents for take_raft_events() (the simulator's invariant checker); off, the
  /// replica records nothing and hashes nothing.
  bool record_raft_events = false;
  std::int64_t tick_ms = 100;  ///< time of one tick: sets the lease TTL minimum and extension
  std::int64_t lease_check_ms = 500;  ///< how often the leader looks for expired leases
  LeaseKeeperOptions leases;          ///< ttl_min_s is derived from the election timeout
  /// Leader-driven compaction by retention (auto_compactor.hpp); off by default, like etcd.
  AutoCompactionConfig auto_compaction;
  /// Applied entries past the last snapshot that trigger a new one (etcd's --snapshot-count).
  std::uint64_t snapshot_entries = 10'000;
  /// Entries kept below a new snapshot for slow followers (etcd keeps 5,000).
  std::uint64_t snapshot_catchup_entries = 5'000;
  SnapshotTransferConfig snapshot_transfer;
  WatchHubOptions watch;
  std::size_t watch_streams_max = 1024;        ///< clients with watches on this replica
  std::size_t watch_stream_watches_max = 256;  ///< watches per stream
  int watch_idle_ticks = 100;      ///< a stream silent this long is closed (10 s at 100 ms)
  int watch_progress_ticks = 100;  ///< period of progress_notify responses
  /// --quota-backend-bytes: while leading, writes that would take the applied data past it
  /// are refused "no_space" before they are proposed (write_quota.hpp). Unlike mvcc.quota_bytes
  /// (checked at apply, so equal on every replica) it may differ between replicas.
  std::int64_t quota_bytes = kDefaultQuotaBytes;
};

class Replica {
 public:
  /// Opens (or creates) the data directory and restores the replica from it.
  static Result<std::unique_ptr<Replica>> open(ReplicaConfig config);

  /// A message from another replica; malformed ones are dropped (counted in dropped()). A
  /// snapshot the replica lacks starts a transfer: the output carries its first fetch.
  ReplicaOutput step(raft::Message m);
  /// One logical tick; expires pending requests past their deadline.
  ReplicaOutput tick();
  /// A client request; `request_id` names it in the reply. Status, serializable reads and
  /// refusals are answered at once, the rest after a later flush().
  ReplicaOutput submit(std::uint64_t request_id, StoreRequest request,
                       std::optional<storage::ClientSession> session = std::nullopt);
  /// Persists, sends and applies everything pending (see the promises above).
  ReplicaOutput flush();
  /// Where flush() hands a leader's messages that may leave before its own save (see the
  /// promises above); without one, they go out with the rest in flush()'s output.
  using EarlySender = std::function<void(std::vector<raft::Message>)>;
  void set_early_sender(EarlySender send) { early_sender_ = std::move(send); }
  /// Times every log save and apply commit with the shell's clock (for metrics).
  void set_disk_timer(DiskTimer timer) { disk_timer_ = std::move(timer); }
  const ReplicaStats& stats() const { return stats_; }
  /// The time now (ms, monotonic; earlier values are ignored). The leader proposes revokes
  /// for expired leases here, at most every lease_check_ms; flush() sends them.
  void advance_clock(std::int64_t now_ms);
  /// Automatic compaction: the shell calls this on every tick with its clock (ActorEnv time).
  /// A leader whose AutoCompactor decides so proposes a compaction write through Raft; it is
  /// applied like any other (nobody waits for its answer). Returns the revision proposed.
  std::optional<std::int64_t> auto_compact(std::int64_t now_ms);
  /// Snapshot transfer messages from other replicas (snapshot/replica_snapshots.hpp).
  ReplicaOutput step_snapshot_fetch(const SnapshotFetch& fetch);
  ReplicaOutput step_snapshot_chunk(const SnapshotChunk& chunk);
  /// True while a snapshot's state is being fetched (Raft sees the message afterwards).
  bool installing() const { return snapshots_.installing(); }
  std::uint64_t snapshots_installed() const { return snapshots_.installed(); }
  /// Where chunks of a snapshot being received are staged (removed at open).
  std::string staging_dir() const { return config_.data_dir + "/snapshot-staging"; }
  /// A watch request (WatchCreate, WatchCancel, WatchProgress) from one stream; any of them
  /// keeps the stream alive. Errors are replies; a create's success is its `created` response.
  ReplicaOutput watch(std::uint64_t request_id, StreamId stream, StoreRequest request);
  /// Drops a stream whose client is known to be gone (its watches end silently).
  void close_stream(StreamId stream);
  std::size_t watch_streams() const { return watches_->streams(); }
  bool has_watch_stream(StreamId stream) const { return watches_->has_stream(stream); }
  const WatchHub& watch_hub() const { return watches_->hub(); }

  MemberStatus status() const;
  bool failed() const { return failure_.has_value(); }
  const std::optional<Error>& failure() const { return failure_; }
  std::uint64_t dropped() const { return dropped_; }
  std::size_t pending() const {
    return proposals_.size() + reads_.size() + members_->transfers_pending();
  }
  /// Writes proposed by this replica and not yet answered.
  std::size_t pending_writes() const { return proposals_.size(); }
  const raft::Raft& raft() const { return *raft_; }
  /// Where every current member listens (this replica included), as the log says.
  std::map<raft::NodeId, std::string> member_addresses() const { return members_->addresses(); }
  /// An applied change removed this replica: it answers "removed" and its shell shuts down.
  bool removed() const { return members_->removed(); }
  /// Graceful shutdown: a leader hands leadership to its most up-to-date voter. Returns the
  /// voter chosen, or 0 (not the leader, or no other voter).
  raft::NodeId transfer_to_best_voter();
  const storage::MvccStore& mvcc() const { return *mvcc_; }
  /// The RaftEvents recorded since the last call, in order (empty unless
  /// config.record_raft_events). Hooks: open, step, tick, and each Ready's persist and apply
  /// (raft_event_recorder.hpp).
  std::vector<RaftEvent> take_raft_events() { return raft_events_.take(); }
  const LeaseKeeper& leases() const { return leases_.keeper(); }

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

  explicit Replica(ReplicaConfig config);
  Status open_storage();
  Status open_raft();
  /// The MVCC store's options, at open and after an install alike: applied writes need not be
  /// synced on their own, the Raft log beside them is (MvccOptions::defer_apply_sync).
  storage::MvccOptions mvcc_options() const;
  void fail(Error error);
  bool leading() const { return raft_->role() == raft::Role::leader; }
  // Replies: every error reply is made by refuse() (the leader hint is always Raft's lead).
  StoreReply refuse(StoreErrorCode code, std::string message) const;
  /// A lower layer's error (storage/, raft/, the parts): its code as a StoreErrorCode.
  StoreReply refuse(const Error& lower) const;
  /// Refuses a leader-only request: not_leader with the believed leader, or no_leader.
  StoreReply refuse_not_leader() const;
  /// `reply` as the only output, for `request_id`.
  static ReplicaOutput answer(std::uint64_t request_id, StoreReply reply);
  // Client requests (replica.cpp); the parts decide, these route.
  ReplicaOutput submit_read(std::uint64_t request_id, ReadRequest read);
  ReplicaOutput submit_write(std::uint64_t request_id, storage::WriteRequest write,
                             const std::optional<storage::ClientSession>& session);
  ReplicaOutput submit_lease(std::uint64_t request_id, const StoreRequest& request);
  ReplicaOutput submit_member_change(std::uint64_t request_id, const MemberChangeRequest& change);
  ReplicaOutput submit_transfer(std::uint64_t request_id, TransferLeaderRequest transfer);
  StoreReply read_now(const storage::RangeRequest& range) const;
  /// Answers a proposal Raft refused, or remembers an accepted one (by its log index) until it
  /// is applied or its deadline passes.
  void track_proposal(std::uint64_t request_id, const Result<std::uint64_t>& index,
                      ReplicaOutput& out);
  /// Answers "timeout" for every pending request past its deadline; returns how many.
  template <class Pending>
  std::size_t expire(Pending& pending, const char* message, ReplicaOutput& out);
  // The Ready loop.
  Status handle_ready(raft::Ready& rd, ReplicaOutput& out);
  /// Hands a leader's own messages of `rd` to the early sender (see the promises above).
  void send_early(raft::Ready& rd);
  Status apply(const std::vector<raft::Entry>& entries, ReplicaOutput& out);
  Status apply_writes(std::vector<storage::IndexedWrite>& writes,
                      std::vector<const raft::Entry*>& origin, ReplicaOutput& out);
  /// Forgets the pending proposal at `e`'s index and returns its request id, for the caller to
  /// answer; if another term took the position, answers it "proposal_dropped" (naming `what`)
  /// itself. Nothing for an entry nobody here waits for.
  std::optional<std::uint64_t> settle_proposal(const raft::Entry& e, const char* what,
                                               ReplicaOutput& out);
  void answer_write(const raft::Entry& e, Result<storage::WriteResponse> result,
                    ReplicaOutput& out);
  void answer_member_change(const raft::Entry& e, ReplicaOutput& out);
  void serve_reads(ReplicaOutput& out);
  void answer_transfers(ReplicaOutput& out);
  // Snapshots and compaction (replica_snapshot_steps.cpp; snapshot/replica_snapshots.hpp decides).
  void emit_fetch(Result<std::optional<SnapshotFetch>> fetch, ReplicaOutput& out);
  Status finish_install(ReplicaOutput& out);
  /// Hands `m` to Raft (dropped() counts a refusal) and records a leadership change.
  void step_raft(raft::Message m);
  /// After Raft moved: records its leadership (RaftEvents, stats_.leader_changes_seen).
  void note_leadership();
  /// Called once the installed tables are live: reloads every in-memory view of them. Other
  /// components kept by the replica (watches, leases, sessions) must reload here too.
  Status after_snapshot_install();
  void maybe_compact();

  ReplicaConfig config_;
  std::optional<storage::Environment> env_;
  std::optional<RaftLogStore> log_;
  std::optional<storage::MvccStore> mvcc_;
  std::optional<raft::Raft> raft_;
  std::map<std::uint64_t, PendingWrite> proposals_;  ///< by log index
  std::map<std::uint64_t, PendingRead> reads_;       ///< by read context
  std::uint64_t next_read_context_ = 1;
  std::uint64_t ticks_ = 0;
  std::uint64_t applied_ = 0;  ///< last committed entry handled (data or not)
  std::uint64_t dropped_ = 0;
  std::optional<Error> failure_;
  // The parts this replica owns and delegates to.
  RaftEventRecorder raft_events_;
  ReplicaLeases leases_;
  std::optional<ReplicaMembers> members_;  ///< set by open_storage
  ReplicaSnapshots snapshots_;
  std::optional<ReplicaWatches> watches_;  ///< set by open_storage (starts at its revision)
  AutoCompactor auto_compactor_{config_.auto_compaction};
  EarlySender early_sender_;
  DiskTimer disk_timer_;
  ReplicaStats stats_;
  raft::NodeId last_lead_ = 0;  ///< for stats_.leader_changes_seen
};

}  // namespace craton::store
