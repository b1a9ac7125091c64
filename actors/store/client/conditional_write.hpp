// Conditional writes of one key, as etcd-backed Kubernetes writes its registry: a
// transaction that applies the put or delete only if the key's mod revision is still the one
// the writer read (0: the key must be absent), and reads the key when it does not, so that
// the answer tells a conflict from a vanished key. The requests and the meaning of their
// answers, shared by the blocking client's users and StoreCalls' (CAF-free).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "actors/store/codec/store_protocol.hpp"

namespace craton::store {

/// The transaction: `op` if mod_revision(key) == expected, else a read of key.
StoreRequest conditional_write(const std::string& key, std::int64_t expected,
                               storage::RequestOp op);
/// The revision written, or the error: "exists" (expected 0 and the key is there),
/// "not_found" (the key is gone), "conflict" (it changed); the call's own errors pass through.
Result<std::int64_t> conditional_write_outcome(const Result<StoreReply>& reply,
                                               const std::string& key, std::int64_t expected);

/// A grant of a lease of `ttl_s` seconds (the leader picks the id), for writes that expire,
/// and its answer (the lease id and TTL granted).
StoreRequest grant_lease(std::int64_t ttl_s);
Result<storage::LeaseGrantResponse> grant_lease_outcome(const Result<StoreReply>& reply);

/// A linearizable read of one key, and its answer (nullopt: absent).
StoreRequest read_key(const std::string& key);
Result<std::optional<storage::KeyValue>> read_key_outcome(const Result<StoreReply>& reply);

}  // namespace craton::store
