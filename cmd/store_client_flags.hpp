// How the store's command-line tools (craton kv, lease, store status, store member) connect:
// the --endpoints and --timeout-ms flags they all take, checked one way. Flag errors carry the
// code "bad_flag" (the tools exit 2 on those); connection errors pass through unchanged.
#pragma once

#include <memory>
#include <string>

#include "actors/store/client/client.hpp"
#include "runtime/result.hpp"

namespace craton::cmd {

/// A flag or argument that must be a whole number >= 0 ("bad_flag" otherwise).
Result<std::int64_t> parse_non_negative(const std::string& what, const std::string& text);

/// `endpoints` as `craton store --peers` takes them ("1=h:p,..." or "h:p,..."); `timeout_ms`
/// a whole number in 1..600000 (per attempt).
Result<std::unique_ptr<store::StoreClient>> connect_store_client(const std::string& endpoints,
                                                                 const std::string& timeout_ms);

}  // namespace craton::cmd
