// WriteQuota: etcd's --quota-backend-bytes for the store. The leader checks every write it is
// asked to propose against its own quota and the bytes its applied state holds
// (MvccStore::data_bytes()); a write that would take them past the quota is refused with
// "no_space" before it reaches the log. Reads, deletes, compactions and lease revokes add
// nothing and always pass: they are how space is recovered.
//
// Why at the leader and not when entries are applied: an apply-time decision must be the same
// on every replica, so a quota checked there would have to be equal on every replica at every
// moment, and a rolling restart that raises it (etcd's usual cure for NOSPACE) would make
// replicas disagree about which writes happened. Checked before proposing, each replica's own
// flag only matters while it leads. The MVCC store's own apply-time quota stays as a backstop
// that is the same everywhere (quota_ceiling_bytes of the map size, see store_command).
//
// Promises: pure (no clock, no I/O); the estimate is an upper bound of what applying the write
// adds (the larger txn branch, since the compares are decided at apply time). Writes already
// in flight are not counted, so the data may pass the quota by what the log holds uncommitted,
// as in etcd.
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/result.hpp"
#include "storage/kv_types.hpp"

namespace craton::store {

/// etcd's default backend quota, used when the flag is 0 (as etcd does).
inline constexpr std::int64_t kDefaultQuotaBytes = std::int64_t{2} << 30;

/// The largest quota a map size allows: half of it. data_bytes counts keys and values only;
/// the LMDB file also holds B-tree pages (rarely full), pages freed but not yet reusable while
/// readers hold old snapshots, the Raft log (up to --snapshot-count entries plus catch-up
/// entries), sessions and leases. Half leaves room for all of those.
std::int64_t quota_ceiling_bytes(std::size_t map_size_bytes);

/// --quota-backend-bytes: 0 means kDefaultQuotaBytes (capped to the ceiling, for small maps);
/// above quota_ceiling_bytes(map_size_bytes) is a "bad_flag" error that names both numbers.
Result<std::int64_t> quota_from_flag(std::uint64_t flag_bytes, std::size_t map_size_bytes);

/// Bytes that applying the write may add to MvccStore::data_bytes() (an upper bound).
std::int64_t write_cost_bytes(const storage::WriteRequest& write);

/// Ok when data_bytes + write_cost_bytes(write) stays within quota_bytes, or the write adds
/// nothing; otherwise "no_space" with a message that gives the numbers and the remedy.
Status admit_write(const storage::WriteRequest& write, std::int64_t data_bytes,
                   std::int64_t quota_bytes);

}  // namespace craton::store
