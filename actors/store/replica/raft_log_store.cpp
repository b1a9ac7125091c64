#include "actors/store/replica/raft_log_store.hpp"

#include <string>

#include "runtime/assert.hpp"
#include "storage/byte_codec.hpp"
#include "storage/lmdb_error.hpp"

namespace craton::store {

using namespace storage;  // the LMDB wrappers this store is built on

namespace {

constexpr std::uint8_t kFormat = 1;
constexpr std::string_view kHardStateKey = "hard_state";
constexpr std::string_view kSnapshotKey = "snapshot";
constexpr std::string_view kLogStartKey = "log_start";
// A snapshot names its members; more than this is a corrupt record, not a cluster.
constexpr std::uint64_t kMembersMax = 1024;

std::string encode_entry(const raft::Entry& e) {
  ByteWriter w;
  w.u8(kFormat);
  w.u64(e.term);
  w.u8(static_cast<std::uint8_t>(e.type));
  w.raw(e.data);
  return w.take();
}

bool decode_entry(std::string_view key, std::string_view value, raft::Entry& e) {
  ByteReader r(value);
  std::uint8_t format = 0, type = 0;
  if (!parse_u64_key(key, e.index) || !r.u8(format) || format != kFormat) return false;
  if (!r.u64(e.term) || !r.u8(type) || type > 1) return false;
  e.type = static_cast<raft::EntryType>(type);
  e.data = std::string(r.rest());
  return true;
}

std::string encode_hard_state(const raft::HardState& hs) {
  ByteWriter w;
  w.u8(kFormat);
  w.u64(hs.term);
  w.u64(hs.vote);
  w.u64(hs.commit);
  return w.take();
}

bool decode_hard_state(std::string_view value, raft::HardState& hs) {
  ByteReader r(value);
  std::uint8_t format = 0;
  return r.u8(format) && format == kFormat && r.u64(hs.term) && r.u64(hs.vote) &&
         r.u64(hs.commit) && r.empty();
}

void encode_ids(ByteWriter& w, const std::vector<raft::NodeId>& ids) {
  w.u64(ids.size());
  for (auto id : ids) w.u64(id);
}

bool decode_ids(ByteReader& r, std::vector<raft::NodeId>& ids) {
  std::uint64_t n = 0;
  if (!r.u64(n) || n > kMembersMax) return false;
  ids.resize(n);
  for (auto& id : ids) {
    if (!r.u64(id)) return false;
  }
  return true;
}

std::string encode_snapshot(const raft::SnapshotMeta& s) {
  ByteWriter w;
  w.u8(kFormat);
  w.u64(s.index);
  w.u64(s.term);
  encode_ids(w, s.voters);
  encode_ids(w, s.learners);
  w.u64(s.addresses.size());
  for (const auto& [id, address] : s.addresses) {
    w.u64(id);
    w.bytes(address);
  }
  return w.take();
}

// Member addresses follow the ids (absent in snapshots written before they existed).
bool decode_addresses(ByteReader& r, std::map<raft::NodeId, std::string>& addresses) {
  if (r.empty()) return true;
  std::uint64_t n = 0;
  if (!r.u64(n) || n > kMembersMax) return false;
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint64_t id = 0;
    std::string_view address;
    if (!r.u64(id) || !r.bytes(address)) return false;
    addresses[id] = std::string(address);
  }
  return true;
}

bool decode_snapshot(std::string_view value, raft::SnapshotMeta& s) {
  ByteReader r(value);
  std::uint8_t format = 0;
  return r.u8(format) && format == kFormat && r.u64(s.index) && r.u64(s.term) &&
         decode_ids(r, s.voters) && decode_ids(r, s.learners) && decode_addresses(r, s.addresses) &&
         r.empty();
}

Error invalid(const std::string& what) {
  return Error{"invalid", "raft log: " + what};
}

}  // namespace

Result<RaftLogStore> RaftLogStore::open(Environment& env) {
  auto log = env.database(kLogDatabase);
  if (!log) return log.error();
  auto meta = env.database(kMetaDatabase);
  if (!meta) return meta.error();
  RaftLogStore store(env, *log, *meta);
  auto loaded = store.load();
  if (!loaded) return loaded.error();
  return store;
}

Status RaftLogStore::load() {
  auto txn = env_->begin_read();
  if (!txn) return txn.error();
  auto hs = txn->get(meta_, kHardStateKey);
  if (!hs) return hs.error();
  if (*hs && !decode_hard_state(**hs, hard_state_)) return corrupt_error("raft hard state");
  auto snap = txn->get(meta_, kSnapshotKey);
  if (!snap) return snap.error();
  if (*snap && !decode_snapshot(**snap, snapshot_)) return corrupt_error("raft snapshot meta");
  auto start = txn->get(meta_, kLogStartKey);
  if (!start) return start.error();
  if (*start) {
    ByteReader r(**start);
    if (!r.u64(start_index_) || !r.u64(start_term_)) return corrupt_error("raft log start");
  }
  auto cursor = txn->cursor(log_);
  if (!cursor) return cursor.error();
  last_index_ = start_index_;
  last_term_ = start_term_;
  auto first = cursor->first();
  if (!first) return first.error();
  if (!*first) return Ok{};
  std::uint64_t first_index = 0;
  if (!parse_u64_key((*first)->key, first_index) || first_index != start_index_ + 1) {
    return corrupt_error("raft log (first entry does not follow the log start)");
  }
  auto last = cursor->last();
  if (!last) return last.error();
  raft::Entry e;
  if (!decode_entry((*last)->key, (*last)->value, e)) return corrupt_error("raft log entry");
  last_index_ = e.index;
  last_term_ = e.term;
  return Ok{};
}

Status RaftLogStore::check_append(std::span<const raft::Entry> entries) const {
  if (entries.empty()) return Ok{};
  if (entries[0].index > last_index_ + 1) {
    return invalid("entry " + std::to_string(entries[0].index) + " leaves a gap after " +
                   std::to_string(last_index_));
  }
  for (std::size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].index != entries[i - 1].index + 1) return invalid("entries not consecutive");
    if (entries[i].term < entries[i - 1].term) return invalid("entry terms decrease");
  }
  auto prev_term = term(entries[0].index - 1);
  if (!prev_term) return prev_term.error();
  if (entries[0].term < *prev_term) return invalid("entry term below its predecessor's");
  return Ok{};
}

Status RaftLogStore::save(const std::optional<raft::HardState>& hard_state,
                          std::span<const raft::Entry> entries) {
  // Entries at or below the log start are compacted, hence committed and already durable.
  while (!entries.empty() && entries[0].index <= start_index_) entries = entries.subspan(1);
  if (entries.empty() && !hard_state) return Ok{};
  CRATON_ASSERT(!hard_state || hard_state->term >= hard_state_.term,
                "a saved term never goes back");
  auto checked = check_append(entries);
  if (!checked) return checked;
  auto txn = env_->begin_write();
  if (!txn) return txn.error();
  if (!entries.empty() && entries[0].index <= last_index_) {
    auto dropped = drop_from(*txn, entries[0].index);
    if (!dropped) return dropped;
  }
  for (const auto& e : entries) {
    auto put = txn->put(log_, u64_key(e.index), encode_entry(e));
    if (!put) return put;
  }
  if (hard_state) {
    auto put = txn->put(meta_, kHardStateKey, encode_hard_state(*hard_state));
    if (!put) return put;
  }
  // Raft needs term, vote and entries on disk before it answers anyone; a commit index alone
  // can be lost and relearned.
  bool must_sync = !entries.empty() || !hard_state || hard_state->term != hard_state_.term ||
                   hard_state->vote != hard_state_.vote;
  auto committed = txn->commit(must_sync ? Durability::full : Durability::deferred);
  if (!committed) return committed;
  if (!entries.empty()) {
    last_index_ = entries.back().index;
    last_term_ = entries.back().term;
  }
  if (hard_state) hard_state_ = *hard_state;
  CRATON_ASSERT(hard_state_.commit <= std::max(last_index_, start_index_),
                "the durable commit index is within the durable log");
  return Ok{};
}

Status RaftLogStore::save_snapshot(const raft::SnapshotMeta& meta,
                                   const std::optional<raft::HardState>& hard_state) {
  if ((snapshot_.index != 0 && meta.index <= snapshot_.index) || meta.index < start_index_) {
    return Error{"stale", "raft log: snapshot at " + std::to_string(meta.index) +
                              " is older than the log (snapshot " +
                              std::to_string(snapshot_.index) + ", log start " +
                              std::to_string(start_index_) + ")"};
  }
  // A snapshot of our own log keeps the log (followers may still need it; compact() trims);
  // one that does not match it (from the leader) replaces it.
  auto local_term = term(meta.index);
  bool matches = local_term && *local_term == meta.term;
  auto txn = env_->begin_write();
  if (!txn) return txn.error();
  Status st = Ok{};
  if (!matches) st = txn->clear(log_);
  if (st && !matches) st = put_start(*txn, meta.index, meta.term);
  if (st) st = txn->put(meta_, kSnapshotKey, encode_snapshot(meta));
  if (st && hard_state) st = txn->put(meta_, kHardStateKey, encode_hard_state(*hard_state));
  if (st) st = txn->commit();
  if (!st) return st;
  snapshot_ = meta;
  if (hard_state) hard_state_ = *hard_state;
  if (!matches) {
    start_index_ = last_index_ = meta.index;
    start_term_ = last_term_ = meta.term;
  }
  return Ok{};
}

Status RaftLogStore::compact(std::uint64_t index) {
  if (index < start_index_) {
    return Error{"compacted", "raft log: " + std::to_string(index) + " is already compacted"};
  }
  if (index == start_index_) return Ok{};
  if (index > snapshot_.index) {
    return Error{"invalid", "raft log: cannot compact to " + std::to_string(index) +
                                " beyond the snapshot at " + std::to_string(snapshot_.index)};
  }
  auto t = term(index);
  if (!t) return t.error();
  auto txn = env_->begin_write();
  if (!txn) return txn.error();
  auto dropped = drop_through(*txn, index);
  if (dropped) dropped = put_start(*txn, index, *t);
  if (!dropped) return dropped;
  auto committed = txn->commit();
  if (!committed) return committed;
  start_index_ = index;
  start_term_ = *t;
  return Ok{};
}

Result<std::vector<raft::Entry>> RaftLogStore::entries(std::uint64_t lo, std::uint64_t hi,
                                                       std::size_t max_bytes) const {
  if (lo < first_index()) {
    return Error{"compacted", "raft log: entry " + std::to_string(lo) + " is compacted"};
  }
  if (hi > last_index_ + 1) {
    return Error{"unavailable", "raft log: entries up to " + std::to_string(hi - 1) +
                                    " requested, last is " + std::to_string(last_index_)};
  }
  std::vector<raft::Entry> out;
  if (lo >= hi) return out;
  auto txn = env_->begin_read();
  if (!txn) return txn.error();
  auto cursor = txn->cursor(log_);
  if (!cursor) return cursor.error();
  std::size_t bytes = 0;
  auto rec = cursor->seek(u64_key(lo));
  for (std::uint64_t want = lo; want < hi; ++want) {
    if (!rec) return rec.error();
    raft::Entry e;
    if (!*rec || !decode_entry((*rec)->key, (*rec)->value, e) || e.index != want) {
      return corrupt_error("raft log entry " + std::to_string(want));
    }
    bytes += e.data.size();
    if (!out.empty() && bytes > max_bytes) break;
    out.push_back(std::move(e));
    rec = cursor->next();
  }
  return out;
}

Result<std::uint64_t> RaftLogStore::term(std::uint64_t index) const {
  if (index == start_index_) return start_term_;
  if (index == last_index_) return last_term_;
  if (index < start_index_) {
    return Error{"compacted", "raft log: entry " + std::to_string(index) + " is compacted"};
  }
  if (index > last_index_) {
    return Error{"unavailable", "raft log: entry " + std::to_string(index) + " is beyond " +
                                    std::to_string(last_index_)};
  }
  auto txn = env_->begin_read();
  if (!txn) return txn.error();
  auto value = txn->get(log_, u64_key(index));
  if (!value) return value.error();
  raft::Entry e;
  if (!*value || !decode_entry(u64_key(index), **value, e)) {
    return corrupt_error("raft log entry " + std::to_string(index));
  }
  return e.term;
}

Status RaftLogStore::drop_from(WriteTxn& txn, std::uint64_t index) const {
  auto cursor = txn.cursor(log_);
  if (!cursor) return cursor.error();
  // After a cursor delete, LMDB's "next" yields the record that followed the deleted one.
  for (auto rec = cursor->seek(u64_key(index));; rec = cursor->next()) {
    if (!rec) return rec.error();
    if (!*rec) return Ok{};
    auto del = cursor->del_current();
    if (!del) return del;
  }
}

Status RaftLogStore::drop_through(WriteTxn& txn, std::uint64_t index) const {
  auto cursor = txn.cursor(log_);
  if (!cursor) return cursor.error();
  for (auto rec = cursor->first();; rec = cursor->next()) {
    if (!rec) return rec.error();
    std::uint64_t at = 0;
    if (!*rec || !parse_u64_key((*rec)->key, at) || at > index) return Ok{};
    auto del = cursor->del_current();
    if (!del) return del;
  }
}

Status RaftLogStore::put_start(WriteTxn& txn, std::uint64_t index, std::uint64_t term) const {
  ByteWriter w;
  w.u64(index);
  w.u64(term);
  return txn.put(meta_, kLogStartKey, w.str());
}

}  // namespace craton::store
