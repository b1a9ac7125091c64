// The on-disk layout of the MVCC store (LMDB databases of one Environment):
//
//   mvcc_kv     key: revision main (8 bytes BE) + sub (8 bytes BE), so records sort by revision
//               value: format u8, kind u8 (put/tombstone), key (u32 length + bytes),
//                      create_revision, mod_revision, version, lease (i64 BE each), value
//   mvcc_meta   "current_revision", "compacted_revision", "applied_index" -> u64 BE
//   mvcc_lease  lease id (8 bytes BE) -> ttl seconds (i64 BE)
//   mvcc_session  client sessions (layout in session_table.hpp)
//
// User keys live in record values, never in LMDB keys, so keys up to 4 KiB fit; the order of
// user keys is kept by KeyIndex in memory (mvcc_key_index.hpp).
#pragma once

#include <string>
#include <string_view>

#include "storage/byte_codec.hpp"
#include "storage/kv_types.hpp"
#include "storage/mvcc_key_index.hpp"

namespace craton::storage {

inline std::string revision_key(Revision rev) {
  ByteWriter w;
  w.i64(rev.main);
  w.i64(rev.sub);
  return w.take();
}

inline bool parse_revision_key(std::string_view k, Revision& rev) {
  ByteReader r(k);
  return k.size() == 16 && r.i64(rev.main) && r.i64(rev.sub);
}

/// A decoded mvcc_kv value.
struct StoredRecord {
  bool tombstone = false;
  KeyValue kv;  ///< for a tombstone: key and mod_revision only
};

inline std::string encode_record(const KeyValue& kv, bool tombstone) {
  ByteWriter w;
  w.u8(1);
  w.u8(tombstone ? 1 : 0);
  w.bytes(kv.key);
  w.i64(kv.create_revision);
  w.i64(kv.mod_revision);
  w.i64(kv.version);
  w.i64(kv.lease);
  w.raw(kv.value);
  return w.take();
}

/// Decodes a record; with keys_only the value is skipped. False when it does not decode.
inline bool decode_record(std::string_view in, StoredRecord& out, bool keys_only = false) {
  ByteReader r(in);
  std::uint8_t format = 0, kind = 0;
  std::string_view key;
  if (!r.u8(format) || format != 1 || !r.u8(kind) || kind > 1 || !r.bytes(key)) return false;
  out.tombstone = kind == 1;
  out.kv.key = std::string(key);
  if (!r.i64(out.kv.create_revision) || !r.i64(out.kv.mod_revision) || !r.i64(out.kv.version) ||
      !r.i64(out.kv.lease)) {
    return false;
  }
  if (!keys_only) out.kv.value = std::string(r.rest());
  return true;
}

/// Bytes a record occupies as LMDB key + value (what the quota counts).
inline std::int64_t record_bytes(std::size_t key_bytes, std::size_t value_bytes) {
  return static_cast<std::int64_t>(16 + 2 + 4 + key_bytes + 32 + value_bytes);
}

}  // namespace craton::storage
