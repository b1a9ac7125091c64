// Lease operations over StoreClient (etcd's Lease API as `craton lease` and tools use it):
// grant, one keep-alive, revoke, time-to-live and list, plus keep_lease_alive(), the periodic
// keeper behind `craton lease keepalive`.
//
// Promises:
// - Each call is one StoreClient::call (leader discovery, redirects and safe retries there);
//   grant and revoke are writes (through the log), the others leader-only requests.
// - Lease ids are written and read in hex, as etcdctl does (format_lease_id/parse_lease_id).
// - keep_lease_alive renews every third of the TTL (etcd's client does the same), retries a
//   failed renewal every retry_ms while the lease may still be alive (until its TTL has passed
//   since the last renewal), and returns when `stop` turns true (Ok) or the lease is gone
//   ("lease_not_found", or "lease_expired" when no renewal got through in time).
// Blocking, like StoreClient: call from a plain thread, never from inside an actor.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "actors/store/client/client.hpp"

namespace craton::store {

/// "694d7a2e3b0b1a04": 16 hex digits, as etcdctl prints ids (the store's messages use it too).
using storage::format_lease_id;
/// Hex, optionally "0x"-prefixed, at most 16 digits, not negative. Error "bad_lease_id".
Result<std::int64_t> parse_lease_id(std::string_view text);

/// Grants a lease of `ttl_s` seconds (raised to the cluster's minimum); the leader picks the id.
Result<storage::LeaseGrantResponse> lease_grant(StoreClient& client, std::int64_t ttl_s);
/// Revokes a lease, deleting its keys. Error "lease_not_found" if there is none.
Result<storage::LeaseRevokeResponse> lease_revoke(StoreClient& client, std::int64_t id);
/// One renewal: the reply's ttl_s is the renewed TTL. Error "lease_not_found" once expired.
Result<LeaseReply> lease_keep_alive(StoreClient& client, std::int64_t id);
/// Remaining (ttl_s; -1 when the lease does not exist) and granted TTL, keys if asked.
Result<LeaseReply> lease_time_to_live(StoreClient& client, std::int64_t id, bool keys);
/// Every lease id, ascending, in the reply's `leases`.
Result<LeaseReply> lease_list(StoreClient& client);

struct KeepAliveOptions {
  std::int64_t retry_ms = 200;  ///< between attempts after a failed renewal
  std::int64_t poll_ms = 50;    ///< how often a wait looks at `stop`
};

/// Renews `id` until `stop` (see the promises above); `on_renewal` sees every renewal.
Status keep_lease_alive(StoreClient& client, std::int64_t id, const std::atomic<bool>& stop,
                        const std::function<void(const LeaseReply&)>& on_renewal,
                        KeepAliveOptions options = {});

}  // namespace craton::store
