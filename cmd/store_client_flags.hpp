// How the store's command-line tools (craton kv, lease, store status, store member) connect:
// the --endpoints and --timeout-ms flags they all take, checked one way, and the arguments they
// share (numbers, lease ids). Flag errors carry the code "bad_flag" (the tools exit 2 on
// those); connection errors pass through unchanged.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "actors/store/client/client.hpp"
#include "cmd/link_flags.hpp"
#include "runtime/result.hpp"

namespace craton::cmd {

/// A flag or argument that must be a whole number >= 0 ("bad_flag" otherwise).
Result<std::int64_t> parse_non_negative(const std::string& what, const std::string& text);

/// A lease id as `craton lease grant` prints it (etcdctl's form): hex, optionally "0x"-prefixed,
/// 1 to 16 digits ("ffffffffffffffff" is 16 digits; "10000000000000000", 17, is refused).
/// Lease ids are int64 on the wire and a granted id is positive, so a 16-digit id of
/// 8000000000000000 or more (a negative int64) cannot name a lease and is refused as such.
/// Returns 0..INT64_MAX; 0 means "no lease" where a caller allows it. `what` names the argument
/// in the error ("ID", "--lease").
Result<std::int64_t> parse_lease_id_arg(const std::string& what, std::string_view text);

/// The replicas' "lease_not_found" messages name the lease in decimal; the tools take and print
/// ids in hex (etcdctl's form). This rewrites such an error around the ids the request named
/// (all of a txn's put leases), in hex; any other error is returned unchanged.
Error lease_not_found_in_hex(Error e, const std::vector<std::int64_t>& ids);

/// Whether a write that failed with `e` may still have been applied, or may be applied later:
/// no answer came (timeout), the client lost the leader or every replica after sending it (a
/// retry's no_leader/unavailable hides whether an earlier attempt got through), or a replica's
/// disk failed while applying it (storage, corrupt: the write is in the log, so a restarted
/// replica applies it). Refusals that prove nothing changed (too_large, no_space from the
/// quota, lease_not_found, proposal_dropped, ...) are not.
bool write_outcome_unknown(const Error& e);

/// For a failed write: `e` with a sentence saying its outcome is unknown when it is (above).
Error write_error(Error e);

/// `endpoints` as `craton store --peers` takes them ("1=h:p,..." or "h:p,..."); `timeout_ms`
/// a whole number in 1..600000 (per attempt); `link` as cmd/link_flags.hpp checks it.
Result<std::unique_ptr<store::StoreClient>> connect_store_client(const std::string& endpoints,
                                                                 const std::string& timeout_ms,
                                                                 const LinkFlags& link);

}  // namespace craton::cmd
