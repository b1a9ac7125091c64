// WatchHub: etcd v3 watch semantics on top of the MVCC store. A pure logic core (no CAF, no
// clock, no I/O besides reading the MvccStore handed to it): the replica feeds it watch
// requests and "something was applied", and takes per-stream responses out.
//
// Vocabulary. A *stream* is one client session (etcd: one Watch gRPC stream), named by a
// StreamId the replica chooses. Inside a stream, watches are named by WatchId (etcd's
// watch_id). Responses are queued per stream, in the order the client must see them.
//
// Promises, per watch (etcd's watch guarantees):
// - Ordered: events arrive in revision order (and sub-revision order inside a revision).
// - No duplicates, no gaps: every event with revision >= the start revision that matches the
//   watch's key/range and filters is delivered exactly once, until the watch is cancelled.
// - Atomic per revision: all matching events of one revision are in the same response. A
//   response holds at most events_per_response_max events and about response_bytes_max
//   bytes, except that a single revision is never split (like etcd without `fragment`).
// - Resumable: a new watch starting at (last delivered revision + 1) gets exactly the rest.
// - Compaction: a watch whose start revision is at or below the store's compacted revision
//   (the store keeps only the latest version at the compacted revision itself, so events at
//   it may be gone) gets `created`, then one response with `canceled` and compact_revision set
//   to the store's compacted revision, and is removed. Watchable revisions start at
//   compact_revision + 1; a client normally re-lists and watches from the list's revision + 1.
// - Progress: a progress response (no events) with header_revision R promises that every
//   event at or below R was queued before it on that stream (for the watches still active).
//   They do not pile up: at most one tick response per watch waits to be taken, and repeated
//   requests refresh a stream-wide one still at the back of the queue.
//
// How (as etcd's watchableStore): *synced* watches are at the hub's revision and receive new
// revisions as on_applied() reads them from the store. *Unsynced* watches (a start revision in
// the past, or fallen behind) are caught up from MvccStore::events() in bounded batches, a
// bounded number of watches per on_applied() call, round robin; then they join the synced set.
//
// Slow consumers (etcd's behaviour, documented): etcd never cancels a slow watcher; when its
// send buffer is full the watcher becomes a "victim" and later falls back to the unsynced set
// to be caught up from the store. Here: a watch may have at most pending_events_max events
// queued and not yet taken. When a new revision would take it past the bound it falls back to
// unsynced at that revision and keeps its queued responses; it is caught up from the store,
// in batches that fit the free room, once the caller takes responses. Memory per watch stays
// bounded (one revision larger than the bound is still delivered whole when the queue is
// empty). If the store compacts past its position meanwhile, it gets the compacted response.
//
// Contract with the replica (the caller):
// - Call on_applied(store) after every apply (or apply batch), after taking responses (so
//   catch-up continues), and on a periodic tick. Calls with nothing new are cheap.
// - Compaction: end an apply batch before a CompactionRequest entry and call on_applied()
//   first; otherwise revisions the hub had not yet read may be compacted away, and the synced
//   watches that needed them are cancelled with a compacted response (correct, but avoidable).
// - After a snapshot install (the store reopened at a higher revision) keep the hub and call
//   on_applied(new store): it reads what history the new store has and cancels, with a
//   compacted response, the watches whose revisions are gone. Never hand it an older store.
// - Any replica can serve watches (etcd serves them on every member) from its applied state.
// - Single-threaded, like the store.
//
// Typical wiring:
//   client Watch(create):  hub.create(stream, request, store)   -> error answered directly
//   client Watch(cancel):  hub.cancel(stream, id);  client gone: hub.close_stream(stream)
//   client progress req:   hub.request_progress(stream)
//   after apply / timer:   hub.on_applied(store); every ~10 min: hub.tick_progress()
//   then:                  for stream in hub.streams_with_responses(): send hub.take(stream, n)
#pragma once

#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "actors/store/watch/watch_types.hpp"
#include "runtime/result.hpp"
#include "storage/kv_types.hpp"
#include "storage/mvcc_store.hpp"

namespace craton::store {

struct WatchHubOptions {
  std::size_t watchers_max = 100'000;         ///< across all streams
  std::size_t pending_events_max = 1024;      ///< queued, not yet taken, per watch
  std::size_t events_per_response_max = 256;  ///< a single larger revision goes alone
  std::size_t catchup_events_max = 1000;      ///< read from the store per watch per call
  std::size_t catchup_watchers_max = 512;     ///< etcd's maxWatchersPerSync
  std::size_t live_read_events_max = 4096;    ///< store read batch for new revisions
  /// Revisions share a response only while its events' keys and values (estimated in
  /// watch_hub.cpp) stay within this: a response travels in one envelope, and an envelope over
  /// its limit (4 MiB, runtime/envelope_codec.hpp) is dropped whole, which would be a gap.
  /// A single larger revision still goes alone.
  std::size_t response_bytes_max = 1 << 20;
  /// Responses a stream may have queued before create() refuses new watches on it: created
  /// and cancel responses are not counted by pending_events_max, so a client that creates and
  /// cancels watches without reading its stream is stopped here.
  std::size_t stream_responses_max = 4096;
  storage::KvLimits limits;  ///< key size bound
};

class WatchHub {
 public:
  /// `store_revision` is the store's current revision when the hub starts: watches with
  /// start 0 begin after it. Normally `WatchHub(options, store.current_revision())`.
  WatchHub(WatchHubOptions options, std::int64_t store_revision);

  /// Creates a watch and queues its `created` response (and, if its start revision is
  /// compacted, the compacted cancel right after). Returns the watch id. Errors (nothing
  /// queued): "invalid" (key, range, id, revision), "watch_exists", "too_many_watchers",
  /// "stream_backlog" (the stream has stream_responses_max responses not yet taken).
  Result<WatchId> create(StreamId stream, const WatchRequest& request,
                         const storage::MvccStore& store);
  /// Cancels a watch: drops its queued responses and queues a `canceled` response.
  /// Error "watch_not_found".
  Status cancel(StreamId stream, WatchId watch_id);
  /// Drops a stream (client gone): all its watches and queued responses, silently.
  void close_stream(StreamId stream);

  /// Reads revisions applied since the last call and queues them for synced watches, then
  /// runs one bounded catch-up round for unsynced watches. See the contract above.
  void on_applied(const storage::MvccStore& store);

  /// etcd's RequestProgress: queues one progress response (watch_id kProgressWatchId) for the
  /// stream as soon as all its watches are synced (now, or in a later on_applied()).
  void request_progress(StreamId stream);
  /// The periodic progress tick (etcd: every 10 min by default): every synced watch with
  /// progress_notify that got no events since the previous tick gets a progress response.
  void tick_progress();

  /// Takes up to `responses_max` queued responses of one stream, oldest first. Taking is
  /// what frees room for a slow watch; call on_applied() afterwards to continue catch-up.
  std::vector<WatchResponse> take(
      StreamId stream, std::size_t responses_max = std::numeric_limits<std::size_t>::max());
  /// Takes every queued response of every stream (for a caller without flow control).
  std::vector<WatchResponse> take_all();
  /// Streams that have queued responses, ascending.
  std::vector<StreamId> streams_with_responses() const;

  // ---- Introspection (metrics, tests) ----
  std::int64_t revision() const { return revision_; }
  std::size_t watchers() const { return watchers_.size(); }
  std::size_t unsynced_watchers() const { return unsynced_.size(); }
  /// Queued events of one watch, or 0 if it does not exist.
  std::size_t pending_events(StreamId stream, WatchId watch_id) const;

 private:
  struct Key {
    StreamId stream;
    WatchId id;
    auto operator<=>(const Key&) const = default;
  };
  struct Watcher {
    WatchRequest request;
    std::int64_t next_revision = 0;  ///< first revision not yet queued or skipped
    bool synced = false;
    bool compacted_out = false;  ///< cancel pending (set while iterating)
    std::size_t pending_events = 0;
    bool events_since_tick = false;
    bool progress_queued = false;  ///< a tick's progress response waits to be taken
    std::uint64_t serial = 0;      ///< unique per watch ever created (ids can be reused)
  };
  struct Queued {
    WatchResponse response;
    std::uint64_t serial = 0;     ///< of the watch it belongs to; 0 for stream-wide progress
    std::size_t event_bytes = 0;  ///< estimated size of response.events
  };
  struct Stream {
    std::deque<Queued> queue;
    bool progress_requested = false;
  };
  using Events = std::vector<storage::Event>;

  Status validate(const WatchRequest& request) const;
  void index(const Key& key, const Watcher& w);
  std::map<Key, Watcher>::iterator erase(std::map<Key, Watcher>::iterator it);
  void set_synced(const Key& key, Watcher& w, bool synced);
  WatchId assign_id(StreamId stream);
  void read_new_revisions(const storage::MvccStore& store);
  bool any_synced_prev_kv() const;
  void deliver_revision(std::int64_t revision, const Events& events);
  void deliver_to(const Key& key, std::int64_t revision, const Events& events);
  void catch_up_round(const storage::MvccStore& store);
  void catch_up(const Key& key, Watcher& w, const storage::MvccStore& store);
  void cancel_compacted(const Key& key, std::int64_t compacted);
  void fail(const Key& key, std::string reason);
  void flush_progress_requests();
  Events matching(const Watcher& w, const Events& events) const;
  void enqueue_events(const Key& key, Watcher& w, Events events);
  void enqueue(std::uint64_t serial, WatchResponse response);

  WatchHubOptions options_;
  std::int64_t revision_ = 0;  ///< every revision <= this was handed to synced watches
  std::map<Key, Watcher> watchers_;
  std::map<StreamId, Stream> streams_;
  std::multimap<std::string, Key> by_key_;  ///< single-key watches by their key
  std::set<Key> ranged_;                    ///< range and prefix watches
  std::set<Key> unsynced_;
  std::map<StreamId, WatchId> next_auto_id_;  ///< per stream with auto-assigned watches
  Key catchup_cursor_{0, 0};                  ///< round robin over unsynced watches
  std::uint64_t next_serial_ = 1;
};

}  // namespace craton::store
