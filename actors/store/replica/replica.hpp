// Replica: one store replica's pure glue core. It owns the Raft state machine, the durable Raft
// log (RaftLogStore) and the MVCC key-value store (storage::MvccStore), all in one LMDB
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
// - Leases (etcd's lessor, actors/store/lease/lease_keeper.hpp): grants and revokes go through the
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
//   addresses travel in the entries (member_directory.hpp). A removed replica answers
//   "removed" and reports removed(); its shell shuts it down.
// - A write submitted with a client session is applied at most once (storage/session_table.hpp):
//   a copy of one already applied is answered "duplicate" (or "stale_sequence"), at once when
//   the leader's applied state already shows it, else when its log entry is applied. Writes
//   without a session are applied as often as they arrive.
// - Watches (watch(), actors/store/replica/replica_watch.cpp): every replica serves them from its
// own
//   applied state through a WatchHub (etcd semantics, see watch_hub.hpp). A stream is one
//   client, named by a StreamId its shell chooses. Responses come out in ReplicaOutput::watch
//   after each apply batch and each tick; a batch ends before a compaction entry so the hub
//   reads every revision first. Streams and watches are bounded (watch_streams_max,
//   watch_stream_watches_max); a stream that sends no watch request for watch_idle_ticks is
//   closed (its client keeps it alive with watch progress requests) and listed in
//   ReplicaOutput::closed_streams.
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
#include "actors/store/raft/raft.hpp"
#include "actors/store/raft/raft_event.hpp"
#include "actors/store/replica/auto_compactor.hpp"
#include "actors/store/replica/member_directory.hpp"
#include "actors/store/replica/raft_log_store.hpp"
#include "actors/store/replica/snapshot_transfer.hpp"
#include "actors/store/replica/write_quota.hpp"
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

struct ClientReply {
  std::uint64_t request_id = 0;  ///< as given to submit()
  StoreReply reply;
};

/// One watch response for one stream. `request_id` is the watch's create request (as given
/// to watch()); 0 for a stream-wide progress response (watch_id kProgressWatchId).
struct WatchDelivery {
  StreamId stream = 0;
  std::uint64_t request_id = 0;
  WatchResponse response;
};

struct ReplicaOutput {
  std::vector<raft::Message> messages;  ///< to other replicas, in order
  std::vector<ClientReply> replies;
  std::vector<SnapshotFetch> fetches;    ///< snapshot transfer: to the serving replica
  std::vector<SnapshotChunk> chunks;     ///< snapshot transfer: answers to fetches
  std::vector<WatchDelivery> watch;      ///< per stream in order; a stream's order matters
  std::vector<StreamId> closed_streams;  ///< idle streams closed (watches dropped)

  /// Moves everything `more` holds behind what this output holds (every field: a field left
  /// out here would be lost, as watch deliveries once were after a snapshot install).
  void append(ReplicaOutput&& more);
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
  ReplicaOutput submit(std::uint64_t request_id, StoreRequest request,
                       std::optional<storage::ClientSession> session = std::nullopt);
  /// Persists, sends and applies everything pending (see the promises above).
  ReplicaOutput flush();
  /// Where flush() hands a leader's messages that may leave before its own save (see the
  /// promises above); without one, they go out with the rest in flush()'s output.
  using EarlySender = std::function<void(std::vector<raft::Message>)>;
  void set_early_sender(EarlySender send) { early_sender_ = std::move(send); }
  /// The time now (ms, monotonic; earlier values are ignored). The leader proposes revokes
  /// for expired leases here, at most every lease_check_ms; flush() sends them.
  void advance_clock(std::int64_t now_ms);
  /// Automatic compaction: the shell calls this on every tick with its clock (ActorEnv time).
  /// A leader whose AutoCompactor decides so proposes a compaction write through Raft; it is
  /// applied like any other (nobody waits for its answer). Returns the revision proposed.
  std::optional<std::int64_t> auto_compact(std::int64_t now_ms);
  /// Snapshot transfer messages from other replicas (replica_snapshot.cpp).
  ReplicaOutput step_snapshot_fetch(const SnapshotFetch& fetch);
  ReplicaOutput step_snapshot_chunk(const SnapshotChunk& chunk);
  /// True while a received snapshot is being fetched (the held Ready waits for it).
  bool installing() const { return held_.has_value(); }
  std::uint64_t snapshots_installed() const { return snapshots_installed_; }
  /// Where chunks of a snapshot being received are staged (removed at open).
  std::string staging_dir() const { return config_.data_dir + "/snapshot-staging"; }
  /// A watch request (WatchCreate, WatchCancel, WatchProgress) from one stream; any of them
  /// keeps the stream alive. Errors are replies; a create's success is its `created` response.
  ReplicaOutput watch(std::uint64_t request_id, StreamId stream, StoreRequest request);
  /// Drops a stream whose client is known to be gone (its watches end silently).
  void close_stream(StreamId stream);
  std::size_t watch_streams() const { return streams_.size(); }
  bool has_watch_stream(StreamId stream) const { return streams_.count(stream) > 0; }
  const WatchHub& watch_hub() const { return *hub_; }

  MemberStatus status() const;
  bool failed() const { return failure_.has_value(); }
  const std::optional<Error>& failure() const { return failure_; }
  std::uint64_t dropped() const { return dropped_; }
  std::size_t pending() const { return proposals_.size() + reads_.size() + transfers_.size(); }
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
  /// (replica_raft_events.cpp).
  std::vector<RaftEvent> take_raft_events() { return std::exchange(raft_events_, {}); }
  const LeaseKeeper& leases() const { return leases_; }

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
  StoreReply refuse(std::string code, std::string message) const;
  /// Answers a proposal Raft refused, or remembers an accepted one (by its log index) until it
  /// is applied or its deadline passes.
  void track_proposal(std::uint64_t request_id, const Result<std::uint64_t>& index,
                      ReplicaOutput& out);
  StoreReply read_now(const storage::RangeRequest& range) const;
  template <class Pending>
  void expire(Pending& pending, const char* message, ReplicaOutput& out);
  ReplicaOutput submit_read(std::uint64_t request_id, ReadRequest read);
  ReplicaOutput submit_write(std::uint64_t request_id, storage::WriteRequest write,
                             const std::optional<storage::ClientSession>& session);
  Status handle_ready(raft::Ready& rd, ReplicaOutput& out);
  /// Hands a leader's own messages of `rd` to the early sender (see the promises above).
  void send_early(raft::Ready& rd);
  Status apply(const std::vector<raft::Entry>& entries, ReplicaOutput& out);
  void answer_write(const raft::Entry& e, Result<storage::WriteResponse> result,
                    ReplicaOutput& out);
  void serve_reads(ReplicaOutput& out);
  void fail(Error error);
  // RaftEvent recording (replica_raft_events.cpp); each does nothing unless enabled.
  void record_opened();
  void record_leadership();
  void record_persisted(const raft::Ready& rd);
  void record_applied(const std::vector<raft::Entry>& entries);
  // Leases (replica_leases.cpp).
  StoreReply refuse_not_leader() const;
  std::int64_t election_timeout_ms() const;
  void sync_leadership();
  Status check_lease_grant(storage::LeaseGrantRequest& grant);
  ReplicaOutput submit_lease(std::uint64_t request_id, const StoreRequest& request);
  StoreReply lease_time_to_live(const LeaseTimeToLiveRequest& request) const;
  StoreReply lease_list() const;
  void note_leases(const std::vector<storage::IndexedWrite>& writes,
                   const std::vector<Result<storage::WriteResponse>>& results);
  // membership and leader transfer (replica_membership.cpp)
  struct PendingTransfer {
    std::uint64_t request_id = 0;
    raft::NodeId to = 0;
    std::uint64_t deadline_tick = 0;
  };
  Status open_members();
  ReplicaOutput submit_member_change(std::uint64_t request_id, const MemberChangeRequest& change);
  Result<raft::ConfChange> check_member_change(const MemberChangeRequest& change) const;
  ReplicaOutput submit_transfer(std::uint64_t request_id, TransferLeaderRequest transfer);
  void apply_member_change(const raft::Entry& e, ReplicaOutput& out);
  void answer_transfers(ReplicaOutput& out);
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
  // Watches (replica_watch.cpp).
  struct WatchStream {
    std::uint64_t last_heard_tick = 0;
    std::map<WatchId, std::uint64_t> creators;  ///< watch -> its create request id
  };
  ReplicaOutput watch_create(std::uint64_t request_id, StreamId stream, const WatchRequest& r);
  void pump_watches(ReplicaOutput& out);
  void tick_watches(ReplicaOutput& out);

  ReplicaConfig config_;
  std::optional<storage::Environment> env_;
  std::optional<RaftLogStore> log_;
  std::optional<storage::MvccStore> mvcc_;
  std::optional<raft::Raft> raft_;
  std::optional<MemberDirectory> members_;
  std::vector<PendingTransfer> transfers_;           ///< counted in pending()
  std::map<std::uint64_t, PendingWrite> proposals_;  ///< by log index
  std::map<std::uint64_t, PendingRead> reads_;       ///< by read context
  std::uint64_t next_read_context_ = 1;
  std::uint64_t ticks_ = 0;
  std::uint64_t applied_ = 0;  ///< last committed entry handled (data or not)
  std::uint64_t dropped_ = 0;
  std::optional<Error> failure_;
  std::vector<RaftEvent> raft_events_;
  std::uint64_t leader_term_recorded_ = 0;  ///< last term recorded as led
  std::uint64_t commit_recorded_ = 0;       ///< last durable commit index recorded
  LeaseKeeper leases_;
  std::optional<std::int64_t> now_ms_;  ///< unset until the first advance_clock()
  std::int64_t lease_checked_ms_ = 0;
  AutoCompactor auto_compactor_{config_.auto_compaction};
  std::optional<raft::Ready> held_;  ///< a Ready with a snapshot, waiting for its install
  std::unique_ptr<SnapshotReceiver> receiver_;
  std::unique_ptr<SnapshotSender> sender_;
  std::uint64_t snapshots_installed_ = 0;
  std::optional<WatchHub> hub_;
  std::map<StreamId, WatchStream> streams_;
  EarlySender early_sender_;
};

}  // namespace craton::store
