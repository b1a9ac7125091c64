// MvccStore: the etcd v3 key-value data model on LMDB, the state machine behind the store's
// Raft log. Plain C++ with no clock and no threads: the actor shell feeds it committed entries.
//
// Promises:
// - Revisions and versions exactly as etcd assigns them: one revision per write request that
//   changes something (a txn gets one, each of its changes a sub-revision); per key
//   create_revision, mod_revision, version (0 once deleted), lease.
// - Every write is all-or-nothing. A request that fails validation (sizes, too many txn
//   operations, duplicate keys in a txn, unknown lease, quota, compacted/future revision)
//   changes no data; if it came with a Raft index, that index still counts as applied.
// - apply(index, ...) stores the Raft index in the same LMDB write transaction as the data it
//   produced, so replaying an entry at or below applied_index() is refused ("already_applied")
//   and changes nothing. apply_batch() applies many entries in one transaction (one sync).
// - Reads at past revisions work until compacted ("compacted" below, "future_revision" above).
//   Compaction takes effect at once (index, reads, data_bytes); the compacted records leave
//   the disk in bounded batches afterwards, and a reopen finds and finishes what was left.
// - data_bytes() (hence every quota decision) is a function of the applied entries only, the
//   same on every replica whatever the batching or crash history.
// - Quota: writes that would take data_bytes() past quota_bytes fail with "no_space"; reads,
//   deletes, lease revokes and compaction still work (they are how space is recovered).
// - If LMDB fails mid-write (disk or map full, I/O), the transaction is aborted and the
//   in-memory index is rebuilt from disk, so memory never runs ahead of what is durable.
// - Single-threaded: one owner calls it. The Environment must outlive the store; open the
//   environment with a map size comfortably above the quota (LMDB needs room for free pages).
// - Client sessions (storage/session_table.hpp): an entry that carries a ClientSession is
//   checked against, and recorded in, the session table in the same transaction as its data;
//   one already applied is refused ("duplicate", "stale_sequence") and changes nothing, but
//   its index still counts as applied. Entries without a session are never de-duplicated.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "runtime/result.hpp"
#include "storage/kv_types.hpp"
#include "storage/lmdb_env.hpp"
#include "storage/mvcc_key_index.hpp"
#include "storage/session_table.hpp"

namespace craton::storage {

struct MvccOptions {
  std::int64_t quota_bytes = std::int64_t{2} << 30;  ///< etcd's default backend quota, 2 GiB
  KvLimits limits;
  /// Compacted records deleted per write transaction, so that one compaction never becomes
  /// one huge transaction; the rest go with the following writes (or collect_garbage()).
  std::size_t compaction_batch_max = 10'000;
  /// Client session bounds; part of the replicated state: the same on every replica.
  SessionLimits sessions;
  /// Commit applied writes with deferred durability (storage/lmdb_txn.hpp): one fsync per batch
  /// instead of two. Only for an owner that can replay what an OS crash takes back: the
  /// replica, whose Raft log (same environment, synced) holds every entry past the durable
  /// applied index until a synced write (the log's next save or compaction) covers it.
  bool defer_apply_sync = false;
};

/// A committed Raft entry's request, for apply_batch(). Index 0: not from Raft (not recorded).
struct IndexedWrite {
  std::uint64_t index = 0;
  WriteRequest request;
  std::optional<ClientSession> session;  ///< unset: not de-duplicated
};

class MvccStore {
 public:
  /// Opens the store in `env` (databases mvcc_kv, mvcc_meta, mvcc_lease, mvcc_session) and rebuilds
  /// the key index from it.
  static Result<MvccStore> open(Environment& env, MvccOptions options = {});

  // ---- Reads (committed state) ----
  Result<RangeResponse> range(const RangeRequest& request) const;
  /// Changes with mod_revision >= start_revision, in revision order, for a watch's catch-up.
  Result<EventsResponse> events(const EventsRequest& request) const;
  std::vector<LeaseInfo> leases() const;
  std::optional<LeaseInfo> lease(std::int64_t id) const;

  // ---- Writes ----
  /// Applies one committed entry. Error "already_applied" when index <= applied_index().
  Result<WriteResponse> apply(std::uint64_t index, const WriteRequest& request);
  /// Applies entries in order in one LMDB transaction; one result per entry. An empty batch
  /// with no compaction garbage pending opens no transaction (so costs no sync).
  std::vector<Result<WriteResponse>> apply_batch(std::span<const IndexedWrite> writes);

  // Typed shorthands for apply(0, ...), for tools and tests that run without Raft.
  Result<PutResponse> put(const PutRequest& request);
  Result<DeleteRangeResponse> delete_range(const DeleteRangeRequest& request);
  Result<TxnResponse> txn(const TxnRequest& request);
  Result<CompactionResponse> compact(std::int64_t revision);
  Result<LeaseGrantResponse> lease_grant(std::int64_t id, std::int64_t ttl_s);
  Result<LeaseRevokeResponse> lease_revoke(std::int64_t id);

  /// Writes a compacted copy of the whole environment (this store at applied_index(), and
  /// anything else the environment holds) into the empty directory `dest_dir`: the data of a
  /// Raft snapshot. A replica restores by opening a store on such a copy. Returns the applied
  /// index the copy holds.
  Result<std::uint64_t> snapshot_to(const std::string& dest_dir) const;

  /// Deletes up to compaction_batch_max compacted records still on disk (an idle-time chore;
  /// writes do it too). Changes nothing visible.
  Status collect_garbage();
  /// Compacted records still waiting to be deleted from disk.
  std::size_t pending_garbage() const { return garbage_.size(); }

  std::int64_t current_revision() const { return current_; }
  std::int64_t compacted_revision() const { return compacted_; }
  std::uint64_t applied_index() const { return applied_; }
  /// Bytes of records on disk (keys + values of the LMDB records), what the quota limits.
  std::int64_t data_bytes() const { return data_bytes_; }
  std::int64_t quota_bytes() const { return options_.quota_bytes; }
  /// Keys with history in memory (live or deleted but not yet compacted).
  std::size_t indexed_keys() const { return index_.size(); }
  /// The client sessions applied entries left (see session_table.hpp).
  const SessionTable& sessions() const { return *sessions_; }

 private:
  struct WriteCtx;
  struct PendingWrite {
    std::uint64_t index;
    const WriteRequest* request;
    const ClientSession* session = nullptr;
  };
  struct LeaseState {
    std::int64_t ttl_s = 0;
    std::set<std::string> keys;
  };

  MvccStore(Environment& env, MvccOptions options) : env_(&env), options_(options) {}
  Status load();
  Status load_meta(const Txn& txn);
  Status load_leases(const Txn& txn);
  Status load_records(const Txn& txn);
  Status persist_meta(WriteTxn& txn) const;
  Status drop_compacted(const Txn& txn, std::int64_t revision);
  Status delete_garbage(WriteTxn& txn);
  std::vector<Result<WriteResponse>> run_batch(std::span<const PendingWrite> writes);
  template <class Response, class Request>
  Result<Response> apply_typed(const Request& request);

  // Validation: reads only.
  Status check_key(std::string_view key, std::string_view range_end) const;
  Status check_put(const PutRequest& put) const;
  Status check_put_shape(const PutRequest& put) const;
  Status check_op_shape(const RequestOp& op) const;
  Status check_read_revision(std::int64_t revision, std::int64_t current) const;
  Status check_quota(std::int64_t cost_bytes) const;
  Status check_txn_shape(const TxnRequest& txn) const;
  Status check_branch(const std::vector<RequestOp>& ops, std::int64_t current) const;
  Result<bool> compare_holds(const Txn& txn, const Compare& c, std::int64_t current) const;

  // Execution inside a write transaction.
  Result<WriteResponse> execute(WriteCtx& ctx, const WriteRequest& request);
  Result<PutResponse> exec_put(WriteCtx& ctx, const PutRequest& put);
  Result<DeleteRangeResponse> exec_delete(WriteCtx& ctx, const DeleteRangeRequest& del);
  Status exec_delete_key(WriteCtx& ctx, const std::string& key, DeleteRangeResponse& out,
                         bool prev_kv);
  Result<TxnResponse> exec_txn(WriteCtx& ctx, const TxnRequest& txn);
  Result<CompactionResponse> exec_compact(WriteCtx& ctx, const CompactionRequest& c);
  Result<LeaseGrantResponse> exec_lease_grant(WriteCtx& ctx, const LeaseGrantRequest& g);
  Result<LeaseRevokeResponse> exec_lease_revoke(WriteCtx& ctx, const LeaseRevokeRequest& r);

  Result<RangeResponse> range_in(const Txn& txn, const RangeRequest& r, std::int64_t current,
                                 std::size_t response_bytes_max = SIZE_MAX) const;
  Result<KeyValue> load_kv(const Txn& txn, Revision rev, bool keys_only = false) const;
  void attach(std::int64_t lease, const std::string& key);
  void detach(std::int64_t lease, const std::string& key);

  Environment* env_;
  MvccOptions options_;
  Database kv_{};
  Database meta_{};
  Database lease_db_{};
  KeyIndex index_;
  std::map<std::int64_t, LeaseState> leases_;
  std::optional<SessionTable> sessions_;
  std::deque<Revision> garbage_;  ///< compacted away, not yet deleted from disk
  std::int64_t current_ = 1;      ///< etcd's store starts at revision 1
  std::int64_t compacted_ = 0;
  std::uint64_t applied_ = 0;
  std::int64_t data_bytes_ = 0;
};

}  // namespace craton::storage
