// The store tools' shared flags and arguments: numbers, lease ids, endpoints and timeouts.
#include "cmd/store_client_flags.hpp"

#include <charconv>
#include <cstdint>

#include "actors/store/client/lease_client.hpp"

namespace craton::cmd {
namespace {

constexpr std::size_t kLeaseIdDigitsMax = 16;  // 64 bits

}  // namespace

Result<std::int64_t> parse_non_negative(const std::string& what, const std::string& text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || v < 0)
    return Error{"bad_flag", what + " must be a non-negative number: '" + text + "'"};
  return v;
}

Result<std::int64_t> parse_lease_id_arg(const std::string& what, std::string_view text) {
  const std::string shown(text);
  if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (text.empty() || end != text.data() + text.size())
    return Error{"bad_flag", what +
                                 " must be a lease id in hex, as `craton lease grant` prints "
                                 "it: '" +
                                 shown + "'"};
  if (text.size() > kLeaseIdDigitsMax || ec != std::errc{})
    return Error{"bad_flag", what + " has " + std::to_string(text.size()) +
                                 " hex digits; a lease id has at most 16: '" + shown + "'"};
  if (value > std::uint64_t(INT64_MAX))
    return Error{"bad_flag", what + " " + shown +
                                 " cannot be a lease id: ids are int64 on the "
                                 "wire and positive, at most "
                                 "7fffffffffffffff (this one would be " +
                                 std::to_string(static_cast<std::int64_t>(value)) + ")"};
  return static_cast<std::int64_t>(value);
}

Error lease_not_found_in_hex(Error e, const std::vector<std::int64_t>& ids) {
  if (e.code != "lease_not_found" || ids.empty()) return e;
  if (ids.size() == 1)
    return Error{e.code, "lease " + store::format_lease_id(ids[0]) +
                             " not found (expired, "
                             "revoked or never granted)"};
  std::string list;
  for (auto id : ids) list += (list.empty() ? "" : ", ") + store::format_lease_id(id);
  return Error{e.code,
               "a lease the request names is not found (expired, revoked or never "
               "granted); it names " +
                   list};
}

// The store's one rule (actors/store/codec/store_error.hpp); codes the client makes up itself
// (unavailable, leader_unknown, ...) are about requests that were never sent.
bool write_outcome_unknown(const Error& e) {
  auto code = store::parse_store_error_code(e.code);
  return code != store::StoreErrorCode::unknown &&
         store::classify(code) == store::ErrorClass::unknown_outcome;
}

Error write_error(Error e) {
  if (!write_outcome_unknown(e)) return e;
  e.message +=
      "; the outcome of this write is unknown: it may have been applied, or may be "
      "applied when the store restarts (read the key to find out)";
  return e;
}

Result<std::unique_ptr<store::StoreClient>> connect_store_client(const std::string& endpoints,
                                                                 const std::string& timeout_ms,
                                                                 const LinkFlags& link) {
  auto security = link_security(link);
  if (!security) return security.error();
  auto parsed = store::parse_store_endpoints(endpoints);
  if (!parsed) return Error{"bad_flag", "--endpoints: " + parsed.error().message};
  std::int64_t timeout = 0;
  auto [end, ec] =
      std::from_chars(timeout_ms.data(), timeout_ms.data() + timeout_ms.size(), timeout);
  if (timeout_ms.empty() || ec != std::errc{} || end != timeout_ms.data() + timeout_ms.size() ||
      timeout < 1 || timeout > 600'000)
    return Error{"bad_flag", "--timeout-ms must be a number in 1..600000: '" + timeout_ms + "'"};
  store::StoreClientOptions options;
  options.endpoints = *parsed;
  options.timeout_ms = timeout;
  options.security = *security;
  return store::StoreClient::connect(options);
}

}  // namespace craton::cmd
