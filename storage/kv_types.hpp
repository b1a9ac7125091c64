// The request and response vocabulary of the MVCC key-value store, as plain C++ structs that
// mirror etcd v3's KV, Txn, Compaction and Lease messages (etcdserverpb / mvccpb). The store's
// Cap'n Proto schema (written by the actor shell) maps one to one onto these.
//
// Conventions, as in etcd:
// - Revisions are int64; the store starts at revision 1 and the first write creates
//   revision 2. A revision of 0 in a request means "the current revision".
// - range_end empty: the single key `key`. range_end "\0" (one zero byte): every key >= key.
//   Otherwise the half-open range [key, range_end). prefix_end(p) gives the end for a prefix.
// - A key's version is 1 on creation, +1 on every put, and 0 once deleted; the next put
//   re-creates it with a new create_revision.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace craton::storage {

/// A lease id as etcd and every craton message print it: 16 hex digits ("694d7a2e3b0b1a04").
std::string format_lease_id(std::int64_t id);

/// Limits on what one request may carry (etcd: --max-request-bytes 1.5 MiB, --max-txn-ops 128).
struct KvLimits {
  std::size_t key_bytes_max = 4096;
  std::size_t value_bytes_max = 1536 * 1024;
  std::size_t request_bytes_max = 2 * 1024 * 1024;  ///< keys + values of all operations
  std::size_t txn_ops_max = 128;
  /// Keys + values one plain range may return (memory bound; page with `limit` instead).
  /// Not applied to ranges inside a txn, whose outcome must not depend on a local limit.
  std::size_t range_response_bytes_max = std::size_t{512} << 20;
};

struct KeyValue {
  std::string key;
  std::int64_t create_revision = 0;
  std::int64_t mod_revision = 0;
  std::int64_t version = 0;
  std::string value;
  std::int64_t lease = 0;
  bool operator==(const KeyValue&) const = default;
};

struct RangeRequest {
  std::string key;
  std::string range_end;
  std::int64_t limit = 0;     ///< 0: no limit
  std::int64_t revision = 0;  ///< 0: current
  bool keys_only = false;     ///< values left empty
  bool count_only = false;    ///< only count
};

struct RangeResponse {
  std::int64_t header_revision = 0;
  std::vector<KeyValue> kvs;
  bool more = false;       ///< more keys in the range than `limit` returned
  std::int64_t count = 0;  ///< keys in the range at that revision, regardless of limit
};

struct PutRequest {
  std::string key;
  std::string value;
  std::int64_t lease = 0;  ///< 0: no lease (detaches the key from any lease)
  bool prev_kv = false;
};

struct PutResponse {
  std::int64_t header_revision = 0;
  std::optional<KeyValue> prev_kv;
};

struct DeleteRangeRequest {
  std::string key;
  std::string range_end;
  bool prev_kv = false;
};

struct DeleteRangeResponse {
  std::int64_t header_revision = 0;
  std::int64_t deleted = 0;
  std::vector<KeyValue> prev_kvs;
};

enum class CompareTarget : std::uint8_t { version, create_revision, mod_revision, value, lease };
enum class CompareResult : std::uint8_t { equal, greater, less, not_equal };

/// One guard of a Txn. With range_end set it must hold for every key in the range. A missing
/// key compares as version/create/mod/lease 0, and a value comparison on it is false.
struct Compare {
  CompareResult result = CompareResult::equal;
  CompareTarget target = CompareTarget::version;
  std::string key;
  std::string range_end;
  std::int64_t number = 0;  ///< for version, create_revision, mod_revision, lease
  std::string value;        ///< for value
};

using RequestOp = std::variant<RangeRequest, PutRequest, DeleteRangeRequest>;
using ResponseOp = std::variant<RangeResponse, PutResponse, DeleteRangeResponse>;

/// All-or-nothing: if every compare holds, `success` runs, else `failure`. Operations see the
/// effects of earlier operations of the same branch; the whole txn gets one revision.
struct TxnRequest {
  std::vector<Compare> compare;
  std::vector<RequestOp> success;
  std::vector<RequestOp> failure;
};

struct TxnResponse {
  std::int64_t header_revision = 0;
  bool succeeded = false;
  std::vector<ResponseOp> responses;
};

/// Discards history below `revision` (keeps the latest version of every key at or below it).
struct CompactionRequest {
  std::int64_t revision = 0;
};

struct CompactionResponse {
  std::int64_t header_revision = 0;
};

struct LeaseGrantRequest {
  std::int64_t id = 0;     ///< chosen by the leader before proposing; non-zero
  std::int64_t ttl_s = 0;  ///< seconds, > 0
};

struct LeaseGrantResponse {
  std::int64_t header_revision = 0;
  std::int64_t id = 0;
  std::int64_t ttl_s = 0;
};

/// Deletes the lease and, at one revision, every key attached to it.
struct LeaseRevokeRequest {
  std::int64_t id = 0;
};

struct LeaseRevokeResponse {
  std::int64_t header_revision = 0;
  std::int64_t deleted = 0;
};

/// Everything that goes through Raft and changes the store.
using WriteRequest = std::variant<PutRequest, DeleteRangeRequest, TxnRequest, CompactionRequest,
                                  LeaseGrantRequest, LeaseRevokeRequest>;
using WriteResponse = std::variant<PutResponse, DeleteRangeResponse, TxnResponse,
                                   CompactionResponse, LeaseGrantResponse, LeaseRevokeResponse>;

enum class EventType : std::uint8_t { put, del };

/// One change, as a watch delivers it. For a delete, kv holds the key and mod_revision only.
struct Event {
  EventType type = EventType::put;
  KeyValue kv;
  std::optional<KeyValue> prev_kv;  ///< when requested and the key existed before
};

/// Events for [key, range_end) with mod_revision >= start_revision (the watch catch-up).
struct EventsRequest {
  std::string key;
  std::string range_end;
  std::int64_t start_revision = 0;
  bool prev_kv = false;
  std::size_t events_max = 1000;  ///< bound per call; a revision is never split
};

struct EventsResponse {
  std::int64_t header_revision = 0;
  std::vector<Event> events;
  std::int64_t next_revision = 0;  ///< where to continue (header_revision+1 when caught up)
};

struct LeaseInfo {
  std::int64_t id = 0;
  std::int64_t ttl_s = 0;
  std::vector<std::string> keys;  ///< attached keys, in key order
};

/// The end of the range holding every key that starts with `prefix` ("\0" when there is none).
inline std::string prefix_end(std::string prefix) {
  while (!prefix.empty()) {
    auto last = static_cast<unsigned char>(prefix.back());
    if (last < 0xff) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return std::string(1, '\0');
}

}  // namespace craton::storage
