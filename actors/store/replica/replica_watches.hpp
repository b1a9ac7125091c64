// ReplicaWatches: a replica's watch half (see "Watches" in replica.hpp). It owns one WatchHub
// over the replica's MVCC store and keeps the per-stream bookkeeping the hub does not: which
// create request each watch answers to (so the shell can address its responses), when each
// stream was last heard from (idle streams are closed), and the stream and watch bounds.
//
// Promises:
// - At most streams_max streams and stream_watches_max watches per stream; a request beyond
//   them, or any other refused request, is an Error value and changes nothing.
// - Any request from a stream that has watches keeps it alive; a stream not heard from for
//   more than idle_ticks is closed at tick() and listed in ReplicaOutput::closed_streams.
// - Responses go to ReplicaOutput::watch in the hub's order, each addressed to its watch's
//   create request (0 for stream-wide progress); nothing goes to a closed stream.
// - It reads the MVCC store it is given and never writes it. The caller passes the time as a
//   tick count that never goes back.
#pragma once

#include <cstdint>
#include <map>

#include "actors/store/codec/store_protocol.hpp"
#include "actors/store/replica/replica_output.hpp"
#include "actors/store/watch/watch_hub.hpp"
#include "storage/mvcc_store.hpp"

namespace craton::store {

struct ReplicaWatchLimits {
  WatchHubOptions hub;
  std::size_t streams_max = 1024;        ///< clients with watches on this replica
  std::size_t stream_watches_max = 256;  ///< watches per stream
  int idle_ticks = 100;                  ///< a stream silent this long is closed
  int progress_ticks = 100;              ///< period of progress_notify responses; 0: none
};

class ReplicaWatches {
 public:
  /// `revision` is the MVCC store's current revision (where the hub starts).
  ReplicaWatches(ReplicaWatchLimits limits, std::int64_t revision);

  /// A watch request (WatchCreate, WatchCancel, WatchProgress) from `stream` at tick `now_tick`.
  /// Returns the refusal, or whether the request is acknowledged with an empty reply (cancel,
  /// progress; a create's success is its `created` response, delivered by pump()).
  Result<bool> handle(std::uint64_t request_id, StreamId stream, const StoreRequest& request,
                      const storage::MvccStore& mvcc, std::uint64_t now_tick);
  /// Lets the hub read what was applied, then hands out every queued response.
  void pump(const storage::MvccStore& mvcc, ReplicaOutput& out);
  /// Closes idle streams, sends progress every progress_ticks, then pumps.
  void tick(std::uint64_t now_tick, const storage::MvccStore& mvcc, ReplicaOutput& out);
  /// Lets the hub read every revision applied so far (before a compaction removes them, and
  /// after a snapshot install, which cancels watches whose history is gone).
  void on_applied(const storage::MvccStore& mvcc) { hub_.on_applied(mvcc); }
  /// Drops a stream whose client is known to be gone (its watches end silently).
  void close_stream(StreamId stream);

  std::size_t streams() const { return streams_.size(); }
  bool has_stream(StreamId stream) const { return streams_.count(stream) > 0; }
  const WatchHub& hub() const { return hub_; }

 private:
  struct WatchStream {
    std::uint64_t last_heard_tick = 0;
    std::map<WatchId, std::uint64_t> creators;  ///< watch -> its create request id
  };
  Status create_watch(std::uint64_t request_id, StreamId stream, const WatchRequest& r,
                      const storage::MvccStore& mvcc, std::uint64_t now_tick);
  Status cancel(StreamId stream, WatchId watch_id);

  ReplicaWatchLimits limits_;
  WatchHub hub_;
  std::map<StreamId, WatchStream> streams_;
};

}  // namespace craton::store
