// The two messages of a snapshot transfer as plain C++ (their wire form is schemas/store.capnp,
// converted by snapshot_codec.hpp; the protocol is described in replica/snapshot_transfer.hpp).
#pragma once

#include <cstdint>
#include <string>

#include "actors/store/raft/raft_types.hpp"
#include "storage/table_export.hpp"

namespace craton::store {

/// Follower -> serving replica: "send me the records after `after`".
struct SnapshotFetch {
  raft::NodeId from = 0;
  raft::NodeId to = 0;
  std::uint64_t transfer_id = 0;     ///< chosen by the follower; a new id is a new transfer
  std::uint64_t seq = 0;             ///< the chunk asked for, from 0
  std::uint64_t snapshot_index = 0;  ///< the server must have applied at least this
  storage::TablePosition after;      ///< empty table: from the beginning
  std::uint32_t window = 1;          ///< chunks wanted: seq, seq + 1, ... (the server caps it)
  bool operator==(const SnapshotFetch&) const = default;
};

/// Serving replica -> follower: one chunk of its state (or a refusal in `error`).
struct SnapshotChunk {
  raft::NodeId from = 0;
  raft::NodeId to = 0;
  std::uint64_t transfer_id = 0;
  std::uint64_t seq = 0;
  std::uint64_t applied_index = 0;  ///< A: the index the whole transfer's state stands at
  std::uint64_t applied_term = 0;   ///< term of A (0 when the server no longer holds it)
  std::string records;              ///< storage::TableChunk::records
  storage::TablePosition last;      ///< the position to ask for next
  bool done = false;
  std::string error;  ///< non-empty: refused; the receiver restarts later
  bool operator==(const SnapshotChunk&) const = default;
};

}  // namespace craton::store
