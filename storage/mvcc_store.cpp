#include "storage/mvcc_store.hpp"

#include <algorithm>

#include "runtime/assert.hpp"
#include "storage/lmdb_error.hpp"
#include "storage/mvcc_record.hpp"

namespace craton::storage {

namespace {

constexpr std::string_view kCurrentKey = "current_revision";
constexpr std::string_view kCompactedKey = "compacted_revision";
constexpr std::string_view kAppliedKey = "applied_index";
constexpr std::int64_t kLeaseRecordBytes = 16;
constexpr std::int64_t kLeaseTtlMax = 9'000'000'000;  // etcd's MaxLeaseTTL (seconds)

Error invalid(std::string message) {
  return Error{"invalid", "mvcc: " + std::move(message)};
}

Error compacted_error(std::int64_t rev, std::int64_t compacted) {
  return Error{"compacted", "mvcc: required revision " + std::to_string(rev) +
                                " has been compacted (compacted at " + std::to_string(compacted) +
                                ")"};
}

Error future_error(std::int64_t rev, std::int64_t current) {
  return Error{"future_revision", "mvcc: required revision " + std::to_string(rev) +
                                      " is a future revision (current is " +
                                      std::to_string(current) + ")"};
}

Error lease_not_found(std::int64_t id) {
  return Error{"lease_not_found", "mvcc: lease " + format_lease_id(id) + " not found"};
}

std::size_t op_bytes(const RequestOp& op) {
  if (auto* p = std::get_if<PutRequest>(&op)) return p->key.size() + p->value.size();
  if (auto* d = std::get_if<DeleteRangeRequest>(&op)) return d->key.size() + d->range_end.size();
  const auto& r = std::get<RangeRequest>(op);
  return r.key.size() + r.range_end.size();
}

bool compare_numbers(CompareResult result, std::int64_t have, std::int64_t want) {
  switch (result) {
    case CompareResult::equal:
      return have == want;
    case CompareResult::greater:
      return have > want;
    case CompareResult::less:
      return have < want;
    case CompareResult::not_equal:
      return have != want;
  }
  return false;
}

bool compare_values(CompareResult result, const std::string& have, const std::string& want) {
  int c = have.compare(want);
  switch (result) {
    case CompareResult::equal:
      return c == 0;
    case CompareResult::greater:
      return c > 0;
    case CompareResult::less:
      return c < 0;
    case CompareResult::not_equal:
      return c != 0;
  }
  return false;
}

bool compare_kv(const Compare& c, const KeyValue& kv) {
  switch (c.target) {
    case CompareTarget::value:
      return compare_values(c.result, kv.value, c.value);
    case CompareTarget::version:
      return compare_numbers(c.result, kv.version, c.number);
    case CompareTarget::create_revision:
      return compare_numbers(c.result, kv.create_revision, c.number);
    case CompareTarget::mod_revision:
      return compare_numbers(c.result, kv.mod_revision, c.number);
    case CompareTarget::lease:
      return compare_numbers(c.result, kv.lease, c.number);
  }
  return false;
}

void set_header(WriteResponse& response, std::int64_t revision) {
  std::visit([&](auto& r) { r.header_revision = revision; }, response);
  if (auto* txn = std::get_if<TxnResponse>(&response)) {
    for (auto& op : txn->responses) {
      std::visit([&](auto& r) { r.header_revision = revision; }, op);
    }
  }
}

// Errors that come from the disk rather than from the request: not deterministic, so an entry
// that met one must not count as applied.
bool is_storage_failure(const Error& e) {
  return e.code == "storage" || e.code == "corrupt";
}

Error already_applied(std::uint64_t index, std::uint64_t applied) {
  return Error{"already_applied", "mvcc: raft entry " + std::to_string(index) +
                                      " is already applied (applied index " +
                                      std::to_string(applied) + ")"};
}

}  // namespace

/// One write request being executed: its revision, the next sub-revision, and whether it has
/// touched anything yet (after that, any failure aborts the whole LMDB transaction).
struct MvccStore::WriteCtx {
  WriteTxn& txn;
  std::int64_t rev;
  std::int64_t sub = 0;
  bool dirty = false;

  Revision next() { return Revision{rev, sub++}; }
  /// The revision reads inside this request see: its own writes once it has made any.
  std::int64_t read_rev() const { return sub > 0 ? rev : rev - 1; }
};

// ---------------------------------------------------------------- open and reload

Result<MvccStore> MvccStore::open(Environment& env, MvccOptions options) {
  if (options.quota_bytes <= 0) return invalid("quota must be positive");
  MvccStore store(env, options);
  auto kv = env.database("mvcc_kv");
  if (!kv) return kv.error();
  auto meta = env.database("mvcc_meta");
  if (!meta) return meta.error();
  auto lease = env.database("mvcc_lease");
  if (!lease) return lease.error();
  store.kv_ = *kv;
  store.meta_ = *meta;
  store.lease_db_ = *lease;
  auto sessions = SessionTable::open(env, options.sessions);
  if (!sessions) return sessions.error();
  store.sessions_.emplace(std::move(*sessions));
  auto loaded = store.load();
  if (!loaded) return loaded.error();
  return store;
}

Status MvccStore::load() {
  index_.clear();
  leases_.clear();
  garbage_.clear();
  data_bytes_ = 0;
  auto txn = env_->begin_read();
  if (!txn) return txn.error();
  auto st = load_meta(*txn);
  if (st) st = load_leases(*txn);
  if (st) st = load_records(*txn);
  if (st) st = sessions_->load(*txn);
  // Records a compaction left on disk before a restart are found again and finished.
  if (st && compacted_ > 0) st = drop_compacted(*txn, compacted_);
  if (!st) return st;
  // Lease attachments follow from the live keys.
  index_.for_each("", std::string(1, '\0'), [&](const std::string& key, const KeyHistory& h) {
    if (h.version > 0 && h.lease != 0) attach(h.lease, key);
    return true;
  });
  return Ok{};
}

Status MvccStore::load_meta(const Txn& txn) {
  struct Field {
    std::string_view key;
    std::uint64_t* out;
  };
  std::uint64_t current = 1, compacted = 0;
  for (Field f : {Field{kCurrentKey, &current}, Field{kCompactedKey, &compacted},
                  Field{kAppliedKey, &applied_}}) {
    auto v = txn.get(meta_, f.key);
    if (!v) return v.error();
    if (*v && !parse_u64_key(**v, *f.out)) return corrupt_error("mvcc " + std::string(f.key));
  }
  current_ = static_cast<std::int64_t>(current);
  compacted_ = static_cast<std::int64_t>(compacted);
  return Ok{};
}

Status MvccStore::load_leases(const Txn& txn) {
  auto cursor = txn.cursor(lease_db_);
  if (!cursor) return cursor.error();
  for (auto rec = cursor->first();; rec = cursor->next()) {
    if (!rec) return rec.error();
    if (!*rec) return Ok{};
    std::uint64_t id = 0, ttl = 0;
    if (!parse_u64_key((*rec)->key, id) || !parse_u64_key((*rec)->value, ttl)) {
      return corrupt_error("mvcc lease");
    }
    leases_[static_cast<std::int64_t>(id)].ttl_s = static_cast<std::int64_t>(ttl);
    data_bytes_ += kLeaseRecordBytes;
  }
}

Status MvccStore::load_records(const Txn& txn) {
  auto cursor = txn.cursor(kv_);
  if (!cursor) return cursor.error();
  for (auto rec = cursor->first();; rec = cursor->next()) {
    if (!rec) return rec.error();
    if (!*rec) return Ok{};
    Revision rev;
    StoredRecord r;
    if (!parse_revision_key((*rec)->key, rev) || !decode_record((*rec)->value, r, true)) {
      return corrupt_error("mvcc record");
    }
    if (r.tombstone) {
      index_.tombstone(r.kv.key, rev);
    } else {
      index_.put(r.kv.key, rev, r.kv.create_revision, r.kv.version, r.kv.lease);
    }
    data_bytes_ += static_cast<std::int64_t>((*rec)->key.size() + (*rec)->value.size());
  }
}

Status MvccStore::persist_meta(WriteTxn& txn) const {
  auto st = txn.put(meta_, kCurrentKey, u64_key(static_cast<std::uint64_t>(current_)));
  if (st) st = txn.put(meta_, kCompactedKey, u64_key(static_cast<std::uint64_t>(compacted_)));
  if (st) st = txn.put(meta_, kAppliedKey, u64_key(applied_));
  return st;
}

// ---------------------------------------------------------------- reads

Result<RangeResponse> MvccStore::range(const RangeRequest& request) const {
  auto txn = env_->begin_read();
  if (!txn) return txn.error();
  return range_in(*txn, request, current_, options_.limits.range_response_bytes_max);
}

Result<std::uint64_t> MvccStore::snapshot_to(const std::string& dest_dir) const {
  auto st = env_->copy_compact(dest_dir);
  if (!st) return st.error();
  return applied_;
}

Result<RangeResponse> MvccStore::range_in(const Txn& txn, const RangeRequest& r,
                                          std::int64_t current,
                                          std::size_t response_bytes_max) const {
  auto st = check_key(r.key, r.range_end);
  if (st) st = check_read_revision(r.revision, current);
  if (!st) return st.error();
  if (r.limit < 0) return invalid("negative limit");
  std::int64_t rev = r.revision > 0 ? r.revision : current;
  RangeResponse out;
  out.header_revision = current;
  Status failed = Ok{};
  std::size_t bytes = 0;
  index_.for_each(r.key, r.range_end, [&](const std::string&, const KeyHistory& h) {
    auto at = h.visible_at(rev);
    if (!at) return true;
    ++out.count;
    bool wanted = !r.count_only && (r.limit == 0 || out.count <= r.limit);
    if (!wanted) return true;
    auto kv = load_kv(txn, *at, r.keys_only);
    if (!kv) {
      failed = kv.error();
      return false;
    }
    bytes += kv->key.size() + kv->value.size();
    if (bytes > response_bytes_max) {
      failed =
          Error{"too_large", "mvcc: range response exceeds " + std::to_string(response_bytes_max) +
                                 " bytes; page through it with limit"};
      return false;
    }
    out.kvs.push_back(std::move(kv).value());
    return true;
  });
  if (!failed) return failed.error();
  out.more = !r.count_only && r.limit > 0 && out.count > r.limit;
  return out;
}

Result<KeyValue> MvccStore::load_kv(const Txn& txn, Revision rev, bool keys_only) const {
  auto v = txn.get(kv_, revision_key(rev));
  if (!v) return v.error();
  StoredRecord r;
  if (!*v || !decode_record(**v, r, keys_only) || r.tombstone) {
    return corrupt_error("mvcc record at revision " + std::to_string(rev.main));
  }
  return std::move(r.kv);
}

Result<EventsResponse> MvccStore::events(const EventsRequest& request) const {
  auto st = check_key(request.key, request.range_end);
  if (!st) return st.error();
  if (request.events_max == 0) return invalid("events_max must be positive");
  std::int64_t start = request.start_revision > 0 ? request.start_revision : current_ + 1;
  // A delete at exactly the compacted revision is gone, so watching from there could miss it.
  if (compacted_ > 0 && start <= compacted_) return compacted_error(start, compacted_);
  EventsResponse out;
  out.header_revision = current_;
  out.next_revision = std::max(start, current_ + 1);
  if (start > current_) return out;
  auto txn = env_->begin_read();
  if (!txn) return txn.error();
  auto cursor = txn->cursor(kv_);
  if (!cursor) return cursor.error();
  std::int64_t last_main = 0;
  for (auto rec = cursor->seek(revision_key({start, 0}));; rec = cursor->next()) {
    if (!rec) return rec.error();
    if (!*rec) break;
    Revision rev;
    StoredRecord r;
    if (!parse_revision_key((*rec)->key, rev) || !decode_record((*rec)->value, r, true)) {
      return corrupt_error("mvcc record");
    }
    if (out.events.size() >= request.events_max && rev.main != last_main) {
      out.next_revision = rev.main;  // never split a revision between two answers
      return out;
    }
    if (!in_range(r.kv.key, request.key, request.range_end)) continue;
    if (!r.tombstone) decode_record((*rec)->value, r);  // now with the value
    Event e;
    e.type = r.tombstone ? EventType::del : EventType::put;
    if (request.prev_kv) {
      const KeyHistory* h = index_.find(r.kv.key);
      auto prev = h != nullptr ? h->put_before(rev) : std::nullopt;
      if (prev) {
        auto kv = load_kv(*txn, *prev);
        if (!kv) return kv.error();
        e.prev_kv = std::move(kv).value();
      }
    }
    e.kv = std::move(r.kv);
    out.events.push_back(std::move(e));
    last_main = rev.main;
  }
  return out;
}

std::vector<LeaseInfo> MvccStore::leases() const {
  std::vector<LeaseInfo> out;
  for (const auto& [id, state] : leases_) {
    out.push_back(LeaseInfo{id, state.ttl_s, {state.keys.begin(), state.keys.end()}});
  }
  return out;
}

std::optional<LeaseInfo> MvccStore::lease(std::int64_t id) const {
  auto it = leases_.find(id);
  if (it == leases_.end()) return std::nullopt;
  return LeaseInfo{id, it->second.ttl_s, {it->second.keys.begin(), it->second.keys.end()}};
}

// ---------------------------------------------------------------- validation

Status MvccStore::check_key(std::string_view key, std::string_view range_end) const {
  if (key.empty()) return invalid("key is not provided");
  if (key.size() > options_.limits.key_bytes_max ||
      range_end.size() > options_.limits.key_bytes_max) {
    return Error{"too_large", "mvcc: key of " +
                                  std::to_string(std::max(key.size(), range_end.size())) +
                                  " bytes exceeds the limit of " +
                                  std::to_string(options_.limits.key_bytes_max)};
  }
  return Ok{};
}

Status MvccStore::check_put(const PutRequest& put) const {
  auto st = check_put_shape(put);
  if (st && put.lease != 0 && !leases_.contains(put.lease)) return lease_not_found(put.lease);
  return st;
}

Status MvccStore::check_put_shape(const PutRequest& put) const {
  auto st = check_key(put.key, "");
  if (st && put.value.size() > options_.limits.value_bytes_max) {
    st = Error{"too_large", "mvcc: value of " + std::to_string(put.value.size()) +
                                " bytes exceeds the limit of " +
                                std::to_string(options_.limits.value_bytes_max)};
  }
  return st;
}

Status MvccStore::check_op_shape(const RequestOp& op) const {
  if (auto* p = std::get_if<PutRequest>(&op)) return check_put_shape(*p);
  if (auto* d = std::get_if<DeleteRangeRequest>(&op)) return check_key(d->key, d->range_end);
  const auto& r = std::get<RangeRequest>(op);
  auto st = check_key(r.key, r.range_end);
  if (st && r.limit < 0) st = invalid("negative limit");
  return st;
}

Status MvccStore::check_read_revision(std::int64_t revision, std::int64_t current) const {
  if (revision <= 0) return Ok{};
  if (revision > current) return future_error(revision, current);
  if (revision < compacted_) return compacted_error(revision, compacted_);
  return Ok{};
}

Status MvccStore::check_quota(std::int64_t cost_bytes) const {
  if (cost_bytes <= 0 || data_bytes_ + cost_bytes <= options_.quota_bytes) return Ok{};
  return Error{"no_space", "mvcc: database space exceeded (" + std::to_string(data_bytes_) +
                               " of " + std::to_string(options_.quota_bytes) +
                               " quota bytes used; delete and compact to free space)"};
}

Status MvccStore::check_txn_shape(const TxnRequest& txn) const {
  const auto max = options_.limits.txn_ops_max;
  if (txn.compare.size() > max || txn.success.size() > max || txn.failure.size() > max) {
    return Error{"too_many_ops", "mvcc: too many operations in txn request (limit " +
                                     std::to_string(max) + " per list)"};
  }
  std::size_t bytes = 0;
  for (const auto& c : txn.compare) {
    auto st = check_key(c.key, c.range_end);
    if (!st) return st;
    bytes += c.key.size() + c.range_end.size() + c.value.size();
  }
  for (const auto* branch : {&txn.success, &txn.failure}) {
    std::vector<const PutRequest*> puts;
    std::vector<const DeleteRangeRequest*> dels;
    for (const auto& op : *branch) {
      auto st = check_op_shape(op);
      if (!st) return st;
      bytes += op_bytes(op);
      if (auto* p = std::get_if<PutRequest>(&op)) puts.push_back(p);
      if (auto* d = std::get_if<DeleteRangeRequest>(&op)) dels.push_back(d);
    }
    // As etcd: a key may be put once per branch, and not both put and deleted.
    for (std::size_t i = 0; i < puts.size(); ++i) {
      for (std::size_t j = i + 1; j < puts.size(); ++j) {
        if (puts[i]->key == puts[j]->key) {
          return Error{"duplicate_key", "mvcc: duplicate key given in txn request"};
        }
      }
      for (const auto* d : dels) {
        if (in_range(puts[i]->key, d->key, d->range_end)) {
          return Error{"duplicate_key", "mvcc: key both put and deleted in txn request"};
        }
      }
    }
  }
  if (bytes > options_.limits.request_bytes_max) {
    return Error{"too_large", "mvcc: txn request of " + std::to_string(bytes) +
                                  " bytes exceeds the limit of " +
                                  std::to_string(options_.limits.request_bytes_max)};
  }
  return Ok{};
}

Status MvccStore::check_branch(const std::vector<RequestOp>& ops, std::int64_t current) const {
  std::int64_t cost = 0;
  for (const auto& op : ops) {
    Status st = Ok{};
    if (auto* p = std::get_if<PutRequest>(&op)) {
      st = check_put(*p);
      cost += record_bytes(p->key.size(), p->value.size());
    } else if (auto* d = std::get_if<DeleteRangeRequest>(&op)) {
      st = check_key(d->key, d->range_end);
    } else {
      const auto& r = std::get<RangeRequest>(op);
      st = check_key(r.key, r.range_end);
      if (st) st = check_read_revision(r.revision, current);
      if (st && r.limit < 0) st = invalid("negative limit");
    }
    if (!st) return st;
  }
  return check_quota(cost);
}

Result<bool> MvccStore::compare_holds(const Txn& txn, const Compare& c,
                                      std::int64_t current) const {
  RangeRequest r;
  r.key = c.key;
  r.range_end = c.range_end;
  auto found = range_in(txn, r, current);
  if (!found) return found.error();
  // A missing key has zero version, revisions and lease; its value compares false (etcd).
  if (found->kvs.empty()) return c.target != CompareTarget::value && compare_kv(c, KeyValue{});
  for (const auto& kv : found->kvs) {
    if (!compare_kv(c, kv)) return false;
  }
  return true;
}

// ---------------------------------------------------------------- writes

Result<WriteResponse> MvccStore::apply(std::uint64_t index, const WriteRequest& request) {
  PendingWrite one{index, &request};
  auto results = run_batch(std::span<const PendingWrite>(&one, 1));
  return std::move(results.front());
}

std::vector<Result<WriteResponse>> MvccStore::apply_batch(std::span<const IndexedWrite> writes) {
  std::vector<PendingWrite> pending;
  pending.reserve(writes.size());
  for (const auto& w : writes)
    pending.push_back({w.index, &w.request, w.session ? &*w.session : nullptr});
  return run_batch(pending);
}

std::vector<Result<WriteResponse>> MvccStore::run_batch(std::span<const PendingWrite> writes) {
  std::vector<Result<WriteResponse>> results;
  auto fail_all = [&](const Error& e) {
    // Memory may be ahead of the aborted transaction: rebuild it from what is durable.
    auto reloaded = load();
    Error reported =
        reloaded ? e : Error{e.code, e.message + "; reload failed: " + reloaded.error().message};
    return std::vector<Result<WriteResponse>>(writes.size(), reported);
  };
  // The replica hands over every flush's committed entries, and most flushes (ticks, appends
  // on followers, proposals on the leader) commit none: with nothing to write and no
  // compaction garbage to delete, a transaction would only cost a synced commit.
  if (writes.empty() && garbage_.empty()) return results;
  const std::int64_t revision_before = current_;
  const std::uint64_t applied_before = applied_;
  auto txn = env_->begin_write();
  if (!txn) return std::vector<Result<WriteResponse>>(writes.size(), txn.error());
  for (const auto& w : writes) {
    if (w.index != 0 && w.index <= applied_) {
      results.push_back(already_applied(w.index, applied_));
      continue;
    }
    if (w.session != nullptr) {
      if (auto seen = sessions_->check(*w.session); !seen) {
        if (w.index != 0) applied_ = w.index;
        results.push_back(seen.error());
        continue;
      }
    }
    WriteCtx ctx{*txn, current_ + 1};
    auto r = execute(ctx, *w.request);
    // A rejection leaves no trace; a failure after the first change, or a failing disk, ends
    // the batch.
    if (!r && (ctx.dirty || is_storage_failure(r.error()))) return fail_all(r.error());
    // Rejected or not, the request was executed: a copy of it must not run again.
    if (w.session != nullptr) {
      auto st = sessions_->record(*txn, *w.session, w.index);
      if (!st) return fail_all(st.error());
    }
    if (ctx.sub > 0) current_ = ctx.rev;
    if (r) set_header(r.value(), current_);
    if (w.index != 0) applied_ = w.index;
    results.push_back(std::move(r));
  }
  auto st = sessions_->persist(*txn);
  if (st) st = delete_garbage(*txn);
  if (st) st = persist_meta(*txn);
  if (st) st = txn->commit(options_.defer_apply_sync ? Durability::deferred : Durability::full);
  if (!st) return fail_all(st.error());
  CRATON_ASSERT(current_ >= revision_before && applied_ >= applied_before,
                "revision and applied index only grow");
  CRATON_ASSERT(results.size() == writes.size(), "one result per write");
  return results;
}

Result<WriteResponse> MvccStore::execute(WriteCtx& ctx, const WriteRequest& request) {
  return std::visit(
      [&](const auto& req) -> Result<WriteResponse> {
        using T = std::decay_t<decltype(req)>;
        auto wrap = [](auto r) -> Result<WriteResponse> {
          if (!r) return r.error();
          return WriteResponse(std::move(r).value());
        };
        if constexpr (std::is_same_v<T, PutRequest>) {
          auto st = check_put(req);
          if (st) st = check_quota(record_bytes(req.key.size(), req.value.size()));
          if (!st) return st.error();
          return wrap(exec_put(ctx, req));
        } else if constexpr (std::is_same_v<T, DeleteRangeRequest>) {
          auto st = check_key(req.key, req.range_end);
          if (!st) return st.error();
          return wrap(exec_delete(ctx, req));
        } else if constexpr (std::is_same_v<T, TxnRequest>) {
          return wrap(exec_txn(ctx, req));
        } else if constexpr (std::is_same_v<T, CompactionRequest>) {
          return wrap(exec_compact(ctx, req));
        } else if constexpr (std::is_same_v<T, LeaseGrantRequest>) {
          return wrap(exec_lease_grant(ctx, req));
        } else {
          return wrap(exec_lease_revoke(ctx, req));
        }
      },
      request);
}

Result<PutResponse> MvccStore::exec_put(WriteCtx& ctx, const PutRequest& put) {
  const KeyHistory* h = index_.find(put.key);
  bool live = h != nullptr && h->version > 0;
  PutResponse out;
  if (put.prev_kv && live) {
    auto prev = load_kv(ctx.txn, h->marks.back().rev);
    if (!prev) return prev.error();
    out.prev_kv = std::move(prev).value();
  }
  KeyValue kv{put.key,   live ? h->create_revision : ctx.rev,
              ctx.rev,   live ? h->version + 1 : 1,
              put.value, put.lease};
  std::int64_t old_lease = live ? h->lease : 0;
  Revision rev = ctx.next();
  ctx.dirty = true;
  std::string record = encode_record(kv, false);
  auto st = ctx.txn.put(kv_, revision_key(rev), record);
  if (!st) return st.error();
  data_bytes_ += static_cast<std::int64_t>(16 + record.size());
  index_.put(put.key, rev, kv.create_revision, kv.version, kv.lease);
  if (old_lease != kv.lease) {
    detach(old_lease, put.key);
    attach(kv.lease, put.key);
  }
  return out;
}

Result<DeleteRangeResponse> MvccStore::exec_delete(WriteCtx& ctx, const DeleteRangeRequest& del) {
  std::vector<std::string> keys;
  index_.for_each(del.key, del.range_end, [&](const std::string& key, const KeyHistory& h) {
    if (h.version > 0) keys.push_back(key);
    return true;
  });
  DeleteRangeResponse out;
  for (const auto& key : keys) {
    auto st = exec_delete_key(ctx, key, out, del.prev_kv);
    if (!st) return st.error();
  }
  return out;
}

Status MvccStore::exec_delete_key(WriteCtx& ctx, const std::string& key, DeleteRangeResponse& out,
                                  bool prev_kv) {
  const KeyHistory* h = index_.find(key);
  if (h == nullptr || h->version == 0) return Ok{};
  if (prev_kv) {
    auto prev = load_kv(ctx.txn, h->marks.back().rev);
    if (!prev) return prev.error();
    out.prev_kvs.push_back(std::move(prev).value());
  }
  std::int64_t old_lease = h->lease;
  KeyValue tomb;
  tomb.key = key;
  tomb.mod_revision = ctx.rev;
  Revision rev = ctx.next();
  ctx.dirty = true;
  std::string record = encode_record(tomb, true);
  auto st = ctx.txn.put(kv_, revision_key(rev), record);
  if (!st) return st;
  data_bytes_ += static_cast<std::int64_t>(16 + record.size());
  index_.tombstone(key, rev);
  detach(old_lease, key);
  ++out.deleted;
  return Ok{};
}

Result<TxnResponse> MvccStore::exec_txn(WriteCtx& ctx, const TxnRequest& txn) {
  auto st = check_txn_shape(txn);
  if (!st) return st.error();
  TxnResponse out;
  out.succeeded = true;
  for (const auto& c : txn.compare) {
    auto holds = compare_holds(ctx.txn, c, ctx.read_rev());
    if (!holds) return holds.error();
    if (!*holds) {
      out.succeeded = false;
      break;
    }
  }
  const auto& ops = out.succeeded ? txn.success : txn.failure;
  st = check_branch(ops, ctx.read_rev());
  if (!st) return st.error();
  for (const auto& op : ops) {
    if (auto* p = std::get_if<PutRequest>(&op)) {
      auto r = exec_put(ctx, *p);
      if (!r) return r.error();
      out.responses.emplace_back(std::move(r).value());
    } else if (auto* d = std::get_if<DeleteRangeRequest>(&op)) {
      auto r = exec_delete(ctx, *d);
      if (!r) return r.error();
      out.responses.emplace_back(std::move(r).value());
    } else {
      auto r = range_in(ctx.txn, std::get<RangeRequest>(op), ctx.read_rev());
      if (!r) return r.error();
      out.responses.emplace_back(std::move(r).value());
    }
  }
  return out;
}

Result<CompactionResponse> MvccStore::exec_compact(WriteCtx& ctx, const CompactionRequest& c) {
  if (c.revision <= compacted_) return compacted_error(c.revision, compacted_);
  if (c.revision > current_) return future_error(c.revision, current_);
  ctx.dirty = true;
  // The records go in bounded batches at the end of this and the following write batches.
  auto st = drop_compacted(ctx.txn, c.revision);
  if (!st) return st.error();
  compacted_ = c.revision;
  return CompactionResponse{};
}

Status MvccStore::drop_compacted(const Txn& txn, std::int64_t revision) {
  for (Revision rev : index_.compact(revision)) {
    std::string key = revision_key(rev);
    auto v = txn.get(kv_, key);
    if (!v) return v.error();
    if (!*v) return corrupt_error("mvcc index (revision missing on disk)");
    data_bytes_ -= static_cast<std::int64_t>(key.size() + (*v)->size());
    garbage_.push_back(rev);
  }
  return Ok{};
}

Status MvccStore::delete_garbage(WriteTxn& txn) {
  for (std::size_t n = 0; n < options_.compaction_batch_max && !garbage_.empty(); ++n) {
    auto del = txn.del(kv_, revision_key(garbage_.front()));
    if (!del) return del.error();
    garbage_.pop_front();
  }
  return Ok{};
}

Status MvccStore::collect_garbage() {
  if (garbage_.empty()) return Ok{};
  auto txn = env_->begin_write();
  if (!txn) return txn.error();
  auto st = delete_garbage(*txn);
  if (st) st = txn->commit();
  if (!st) {
    auto reloaded = load();  // the queue ran ahead of the aborted transaction
    if (!reloaded) return reloaded;
  }
  return st;
}

Result<LeaseGrantResponse> MvccStore::exec_lease_grant(WriteCtx& ctx, const LeaseGrantRequest& g) {
  if (g.id <= 0) return invalid("lease id must be positive");
  if (g.ttl_s <= 0 || g.ttl_s > kLeaseTtlMax) return invalid("lease ttl out of range");
  if (leases_.contains(g.id)) {
    return Error{"lease_exists", "mvcc: lease " + format_lease_id(g.id) + " already exists"};
  }
  auto st = check_quota(kLeaseRecordBytes);
  if (!st) return st.error();
  ctx.dirty = true;
  st = ctx.txn.put(lease_db_, u64_key(static_cast<std::uint64_t>(g.id)),
                   u64_key(static_cast<std::uint64_t>(g.ttl_s)));
  if (!st) return st.error();
  leases_[g.id].ttl_s = g.ttl_s;
  data_bytes_ += kLeaseRecordBytes;
  return LeaseGrantResponse{0, g.id, g.ttl_s};
}

Result<LeaseRevokeResponse> MvccStore::exec_lease_revoke(WriteCtx& ctx,
                                                         const LeaseRevokeRequest& r) {
  auto it = leases_.find(r.id);
  if (it == leases_.end()) return lease_not_found(r.id);
  std::vector<std::string> keys(it->second.keys.begin(), it->second.keys.end());
  DeleteRangeResponse deleted;
  for (const auto& key : keys) {
    auto st = exec_delete_key(ctx, key, deleted, false);
    if (!st) return st.error();
  }
  ctx.dirty = true;
  auto del = ctx.txn.del(lease_db_, u64_key(static_cast<std::uint64_t>(r.id)));
  if (!del) return del.error();
  leases_.erase(r.id);
  data_bytes_ -= kLeaseRecordBytes;
  return LeaseRevokeResponse{0, deleted.deleted};
}

void MvccStore::attach(std::int64_t lease, const std::string& key) {
  if (lease != 0) leases_[lease].keys.insert(key);
}

void MvccStore::detach(std::int64_t lease, const std::string& key) {
  auto it = leases_.find(lease);
  if (lease != 0 && it != leases_.end()) it->second.keys.erase(key);
}

// ---------------------------------------------------------------- typed shorthands

template <class Response, class Request>
Result<Response> MvccStore::apply_typed(const Request& request) {
  auto r = apply(0, WriteRequest(request));
  if (!r) return r.error();
  return std::get<Response>(std::move(r).value());
}

Result<PutResponse> MvccStore::put(const PutRequest& request) {
  return apply_typed<PutResponse>(request);
}

Result<DeleteRangeResponse> MvccStore::delete_range(const DeleteRangeRequest& request) {
  return apply_typed<DeleteRangeResponse>(request);
}

Result<TxnResponse> MvccStore::txn(const TxnRequest& request) {
  return apply_typed<TxnResponse>(request);
}

Result<CompactionResponse> MvccStore::compact(std::int64_t revision) {
  return apply_typed<CompactionResponse>(CompactionRequest{revision});
}

Result<LeaseGrantResponse> MvccStore::lease_grant(std::int64_t id, std::int64_t ttl_s) {
  return apply_typed<LeaseGrantResponse>(LeaseGrantRequest{id, ttl_s});
}

Result<LeaseRevokeResponse> MvccStore::lease_revoke(std::int64_t id) {
  return apply_typed<LeaseRevokeResponse>(LeaseRevokeRequest{id});
}

}  // namespace craton::storage
