// ReplicaOutput: what one call into a Replica (or one of the parts it owns) decided, for the
// shell to send: Raft messages, client replies, snapshot transfer messages, watch responses and
// closed watch streams.
//
// Promises: every field keeps its order (a stream's watch responses in the order the hub made
// them); append() keeps every field of both outputs, this one's first.
#pragma once

#include <cstdint>
#include <vector>

#include "actors/store/codec/store_protocol.hpp"
#include "actors/store/raft/raft.hpp"
#include "actors/store/snapshot/snapshot_transfer.hpp"
#include "actors/store/watch/watch_hub.hpp"

namespace craton::store {

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

}  // namespace craton::store
