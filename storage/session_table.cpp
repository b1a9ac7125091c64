#include "storage/session_table.hpp"

#include <string>

#include "runtime/assert.hpp"
#include "storage/byte_codec.hpp"
#include "storage/lmdb_error.hpp"

namespace craton::storage {
namespace {

constexpr std::uint8_t kFormat = 1;

Error invalid_session(const std::string& why) {
  return Error{"invalid", "session: " + why};
}

}  // namespace

Result<SessionTable> SessionTable::open(Environment& env, SessionLimits limits) {
  if (limits.sessions_max == 0 || limits.sequences_max == 0)
    return invalid_session("sessions_max and sequences_max must be positive");
  auto db = env.database("mvcc_session");
  if (!db) return db.error();
  return SessionTable(*db, limits);
}

Status SessionTable::load(const Txn& txn) {
  sessions_.clear();
  by_use_.clear();
  unpersisted_.clear();
  auto cursor = txn.cursor(db_);
  if (!cursor) return cursor.error();
  for (auto rec = cursor->first();; rec = cursor->next()) {
    if (!rec) return rec.error();
    if (!*rec) return Ok{};
    std::uint64_t client = 0, count = 0;
    std::uint8_t format = 0;
    Session s;
    ByteReader r((*rec)->value);
    bool ok = parse_u64_key((*rec)->key, client) && r.u8(format) && format == kFormat &&
              r.u64(s.last_index) && r.u64(s.floor) && r.u64(count) &&
              count <= limits_.sequences_max;
    for (std::uint64_t i = 0; ok && i < count; ++i) {
      std::uint64_t seq = 0;
      ok = r.u64(seq);
      s.applied.insert(seq);
    }
    if (!ok || !r.empty()) return corrupt_error("mvcc session");
    by_use_.emplace(s.last_index, client);
    sessions_.emplace(client, std::move(s));
  }
}

Status SessionTable::check(const ClientSession& s) const {
  if (s.client_id == 0) return invalid_session("client id must be non-zero");
  if (s.sequence == 0) return invalid_session("sequence must be positive");
  if (s.first_incomplete == 0 || s.first_incomplete > s.sequence)
    return invalid_session("first_incomplete must be in 1..sequence");
  if (s.sequence - s.first_incomplete >= limits_.sequences_max)
    return invalid_session("more than " + std::to_string(limits_.sequences_max) +
                           " writes in flight in one session");
  auto it = sessions_.find(s.client_id);
  if (it == sessions_.end()) return Ok{};
  const Session& known = it->second;
  if (known.applied.contains(s.sequence))
    return Error{"duplicate", "session: write " + std::to_string(s.sequence) +
                                  " of this client was already applied (its first answer "
                                  "is the one that counts)"};
  if (s.sequence < known.floor)
    return Error{"stale_sequence", "session: write " + std::to_string(s.sequence) +
                                       " is older than the client's oldest unanswered write (" +
                                       std::to_string(known.floor) +
                                       "): not applied now, outcome unknown"};
  return Ok{};
}

Status SessionTable::record(WriteTxn& txn, const ClientSession& s, std::uint64_t index) {
  auto [it, created] = sessions_.try_emplace(s.client_id);
  Session& session = it->second;
  if (!created) by_use_.erase({session.last_index, s.client_id});
  session.last_index = index;
  by_use_.emplace(index, s.client_id);
  session.floor = std::max(session.floor, s.first_incomplete);
  session.applied.erase(session.applied.begin(), session.applied.lower_bound(session.floor));
  session.applied.insert(s.sequence);
  // Beyond the client's in-flight bound: forget the oldest, and refuse it from now on.
  while (session.applied.size() > limits_.sequences_max) {
    session.floor = *session.applied.begin() + 1;
    session.applied.erase(session.applied.begin());
  }
  unpersisted_.insert(s.client_id);
  Status st = Ok{};
  while (st && sessions_.size() > limits_.sessions_max) st = evict_one(txn, s.client_id);
  return st;
}

Status SessionTable::persist(WriteTxn& txn) {
  for (auto client : unpersisted_) {
    auto it = sessions_.find(client);
    CRATON_ASSERT(it != sessions_.end(), "an unpersisted session is known (evictions forget it)");
    const Session& session = it->second;
    ByteWriter w;
    w.u8(kFormat);
    w.u64(session.last_index);
    w.u64(session.floor);
    w.u64(session.applied.size());
    for (auto seq : session.applied) w.u64(seq);
    auto st = txn.put(db_, u64_key(client), w.str());
    if (!st) return st;
  }
  unpersisted_.clear();
  return Ok{};
}

// Evicts the least recently used session other than `keep` (deterministic: by log index).
Status SessionTable::evict_one(WriteTxn& txn, std::uint64_t keep) {
  for (auto [index, client] : by_use_) {
    if (client == keep) continue;
    by_use_.erase({index, client});
    sessions_.erase(client);
    unpersisted_.erase(client);
    auto del = txn.del(db_, u64_key(client));
    if (!del) return del.error();
    return Ok{};
  }
  return Ok{};
}

}  // namespace craton::storage
