// Conversions between the snapshot transfer's plain messages (snapshot_transfer.hpp) and
// schemas/store.capnp (SnapshotFetch, SnapshotChunk). Readers check sizes and names the
// schema cannot (table names, keys, error text) and return "malformed", never throw; the
// records themselves are checked where they are staged (storage::SnapshotStaging::add).
#pragma once

#include "actors/store/codec/snapshot_messages.hpp"
#include "runtime/result.hpp"
#include "schemas/store.capnp.h"

namespace craton::store {

void write_snapshot_fetch(schema::SnapshotFetch::Builder b, const SnapshotFetch& f);
Result<SnapshotFetch> read_snapshot_fetch(schema::SnapshotFetch::Reader r);
void write_snapshot_chunk(schema::SnapshotChunk::Builder b, const SnapshotChunk& c);
Result<SnapshotChunk> read_snapshot_chunk(schema::SnapshotChunk::Reader r);

}  // namespace craton::store
