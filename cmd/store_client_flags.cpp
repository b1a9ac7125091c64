#include "cmd/store_client_flags.hpp"

#include <charconv>
#include <cstdint>

namespace craton::cmd {

Result<std::int64_t> parse_non_negative(const std::string& what, const std::string& text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || v < 0)
    return Error{"bad_flag", what + " must be a non-negative number: '" + text + "'"};
  return v;
}

Result<std::unique_ptr<store::StoreClient>> connect_store_client(const std::string& endpoints,
                                                                 const std::string& timeout_ms) {
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
  return store::StoreClient::connect(options);
}

}  // namespace craton::cmd
