// SessionTable: the store's client sessions (Raft thesis, section 6.3), so that a write a
// client sent once is applied at most once even when the network duplicates it or the client
// retries it. It is part of the replicated state machine: MvccStore consults and updates it
// inside the SAME LMDB write transaction as the write it guards, so it survives restarts,
// replays with the log, and is identical on every replica.
//
// A session is named by a client-chosen random 64-bit id. The client numbers its writes
// 1, 2, 3, ... and sends with each its lowest sequence still without an answer
// (first_incomplete): everything below it the client will never send again, so the table
// forgets it. Per session the table keeps the sequences applied at or above a floor
// (max first_incomplete seen); a request below the floor or already applied is refused
// ("stale_sequence" / "duplicate") and changes nothing.
//
// Bounds (SessionLimits, which must be the same on every replica):
// - sequences_max per session: the client's in-flight bound. When a session holds more, its
//   lowest sequence is forgotten and the floor rises past it.
// - sessions_max sessions: past it the session least recently used (smallest log index of
//   its last write; client id breaks ties) is evicted. Consequence: an evicted client's
//   requests that are still in flight, if duplicated later, can be applied again (the table
//   no longer knows them); an unknown client id always starts a fresh session. Keep
//   sessions_max well above the number of clients active at one time.
//
// On disk (database mvcc_session of the MVCC store's environment): client id (u64 BE) ->
// format u8 = 1, last index u64, floor u64, count u64, count sequences u64 (ascending).
// Single-threaded, no clock: the MVCC store owns it.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <utility>

#include "runtime/result.hpp"
#include "storage/lmdb_env.hpp"
#include "storage/lmdb_txn.hpp"

namespace craton::storage {

/// Who sent a write and its place in that client's sequence (schemas/store.capnp ClientSession).
struct ClientSession {
  std::uint64_t client_id = 0;         ///< random, chosen by the client; non-zero
  std::uint64_t sequence = 0;          ///< 1, 2, 3, ... per client
  std::uint64_t first_incomplete = 0;  ///< lowest sequence still without an answer; 1..sequence
  bool operator==(const ClientSession&) const = default;
};

struct SessionLimits {
  std::size_t sessions_max = 10'000;
  /// Sequences remembered per session: at least the client's in-flight bound (StoreClient
  /// sends one write at a time; its actor allows 1024 calls in flight).
  std::size_t sequences_max = 1024;
};

class SessionTable {
 public:
  /// Opens (creates) the database mvcc_session in `env`; call load() before use.
  static Result<SessionTable> open(Environment& env, SessionLimits limits = {});

  /// Rebuilds memory from `txn` (at open, and after an aborted write transaction).
  Status load(const Txn& txn);
  /// Ok when `s` is well formed and not yet applied; else "invalid", "duplicate" (applied
  /// before) or "stale_sequence" (below what the session remembers). Reads only.
  Status check(const ClientSession& s) const;
  /// Records `s` (already checked) as applied by the Raft entry `index`, evicting as the
  /// bounds demand (evictions are deleted in `txn` at once). The session's record is written
  /// by persist(), which the caller runs once before committing `txn`: a batch of a thousand
  /// writes of one client (the API server's) rewrote that client's record, up to 8 KiB of
  /// sequences, a thousand times (5.5% of a 2,000-node simulated run). Memory runs ahead of
  /// `txn`: reload if it aborts.
  Status record(WriteTxn& txn, const ClientSession& s, std::uint64_t index);
  /// Writes, in `txn`, every session record()ed since the last persist or load, once each.
  Status persist(WriteTxn& txn);

  std::size_t size() const { return sessions_.size(); }
  bool contains(std::uint64_t client_id) const { return sessions_.contains(client_id); }
  const SessionLimits& limits() const { return limits_; }

 private:
  struct Session {
    std::uint64_t last_index = 0;
    std::uint64_t floor = 1;
    std::set<std::uint64_t> applied;
  };

  SessionTable(Database db, SessionLimits limits) : db_(db), limits_(limits) {}
  Status evict_one(WriteTxn& txn, std::uint64_t keep);

  Database db_{};
  SessionLimits limits_;
  std::map<std::uint64_t, Session> sessions_;
  std::set<std::pair<std::uint64_t, std::uint64_t>> by_use_;  ///< (last index, client id)
  std::set<std::uint64_t> unpersisted_;  ///< client ids record()ed since the last persist()
};

}  // namespace craton::storage
