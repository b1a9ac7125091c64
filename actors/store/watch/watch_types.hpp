// The watch vocabulary shared by the watch hub (actors/store/watch/watch_hub.hpp), the client
// protocol (store_protocol.hpp) and the codec: what a client asks for when it creates a watch
// and what a watch stream delivers. Plain data, etcd v3's WatchCreateRequest/WatchResponse
// one to one; the semantics (ordering, compaction, progress) are promised by WatchHub.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/kv_types.hpp"

namespace craton::store {

/// One client session's watch stream, chosen by the replica (unique per replica).
using StreamId = std::uint64_t;
/// A watch inside a stream. 0 in a request: let the hub assign one (ascending from 1 per
/// stream, never reused on that stream, skipping ids in use, like etcd's nextID).
using WatchId = std::int64_t;
/// The watch_id of a stream-wide progress response (etcd's clientv3.InvalidWatchID).
inline constexpr WatchId kProgressWatchId = -1;

struct WatchRequest {
  WatchId watch_id = 0;             ///< 0: assign; otherwise > 0 and unused in the stream
  std::string key;                  ///< non-empty
  std::string range_end;            ///< "" single key, "\0" all keys >= key, else [key, range_end)
  std::int64_t start_revision = 0;  ///< 0: from the next revision; in the past: catch up
  bool prev_kv = false;             ///< put the previous version of the key in each event
  bool progress_notify = false;     ///< receive periodic progress responses (tick_progress)
  bool filter_put = false;          ///< etcd's NOPUT filter: drop put events
  bool filter_delete = false;       ///< etcd's NODELETE filter: drop delete events
};

/// What the client receives. Exactly one of: created, canceled, events, or a progress
/// response (no events, not created, not canceled).
struct WatchResponse {
  StreamId stream = 0;
  WatchId watch_id = 0;
  std::int64_t header_revision = 0;  ///< the hub's revision when the response was queued
  bool created = false;
  bool canceled = false;
  std::string cancel_reason;           ///< human-readable, when canceled
  std::int64_t compact_revision = 0;   ///< non-zero: canceled because history was compacted
  std::vector<storage::Event> events;  ///< whole revisions, ascending

  bool is_progress() const { return !created && !canceled && events.empty(); }
};

}  // namespace craton::store
