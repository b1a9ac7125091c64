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
// - Watches (watch(), actors/store/replica_watch.cpp): every replica serves them from its own
//   applied state through a WatchHub (etcd semantics, see watch_hub.hpp). A stream is one
//   client, named by a StreamId its shell chooses. Responses come out in ReplicaOutput::watch
//   after each apply batch and each tick; a batch ends before a compaction entry so the hub
//   reads every revision first. Streams and watches are bounded (watch_streams_max,
//   watch_stream_watches_max); a stream that sends no watch request for watch_idle_ticks is
//   closed (its client keeps it alive with watch progress requests) and listed in
//   ReplicaOutput::closed_streams.
//
// Not implemented: creating snapshots and compacting the Raft log (the log grows and is loaded
// into memory at open), installing snapshots received from a leader (failed() with
// "snapshot_unsupported"), membership changes after bootstrap. No CAF, no clock, no threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/store/raft.hpp"
#include "actors/store/store_protocol.hpp"
#include "actors/store/watch_hub.hpp"
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
  WatchHubOptions watch;
  std::size_t watch_streams_max = 1024;        ///< clients with watches on this replica
  std::size_t watch_stream_watches_max = 256;  ///< watches per stream
  int watch_idle_ticks = 100;       ///< a stream silent this long is closed (10 s at 100 ms)
  int watch_progress_ticks = 100;   ///< period of progress_notify responses
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
  std::vector<WatchDelivery> watch;         ///< per stream in order; a stream's order matters
  std::vector<StreamId> closed_streams;     ///< idle streams closed (watches dropped)
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
  std::optional<WatchHub> hub_;
  std::map<StreamId, WatchStream> streams_;
};

}  // namespace craton::store
