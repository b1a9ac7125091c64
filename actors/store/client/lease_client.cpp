#include "actors/store/client/lease_client.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>

namespace craton::store {
namespace {

using Clock = std::chrono::steady_clock;

template <class T>
Result<T> write_result(Result<StoreReply> reply) {
  if (!reply) return reply.error();
  auto* write = std::get_if<storage::WriteResponse>(&reply->body);
  if (!write || !std::holds_alternative<T>(*write))
    return Error{"malformed", "the replica answered with another kind of reply"};
  return std::get<T>(*write);
}

Result<LeaseReply> lease_result(Result<StoreReply> reply) {
  if (!reply) return reply.error();
  auto* lease = std::get_if<LeaseReply>(&reply->body);
  if (!lease) return Error{"malformed", "the replica answered with another kind of reply"};
  return *lease;
}

// Sleeps up to `ms`, waking early when `stop` turns true; returns !stop.
bool wait(std::int64_t ms, const std::atomic<bool>& stop, std::int64_t poll_ms) {
  auto until = Clock::now() + std::chrono::milliseconds(ms);
  while (!stop && Clock::now() < until) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(poll_ms)));
  }
  return !stop;
}

}  // namespace

Result<std::int64_t> parse_lease_id(std::string_view text) {
  auto original = text;
  if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (text.empty() || text.size() > 16 || ec != std::errc{} || end != text.data() + text.size() ||
      value > std::uint64_t(INT64_MAX))
    return Error{"bad_lease_id",
                 "lease id must be a hex number of at most 16 digits, as grant prints it: '" +
                     std::string(original) + "'"};
  return static_cast<std::int64_t>(value);
}

Result<storage::LeaseGrantResponse> lease_grant(StoreClient& client, std::int64_t ttl_s) {
  return write_result<storage::LeaseGrantResponse>(
      client.call(storage::WriteRequest{storage::LeaseGrantRequest{0, ttl_s}}));
}

Result<storage::LeaseRevokeResponse> lease_revoke(StoreClient& client, std::int64_t id) {
  return write_result<storage::LeaseRevokeResponse>(
      client.call(storage::WriteRequest{storage::LeaseRevokeRequest{id}}));
}

Result<LeaseReply> lease_keep_alive(StoreClient& client, std::int64_t id) {
  return lease_result(client.call(LeaseKeepAliveRequest{id}));
}

Result<LeaseReply> lease_time_to_live(StoreClient& client, std::int64_t id, bool keys) {
  return lease_result(client.call(LeaseTimeToLiveRequest{id, keys}));
}

Result<LeaseReply> lease_list(StoreClient& client) {
  return lease_result(client.call(LeaseListRequest{}));
}

Status keep_lease_alive(StoreClient& client, std::int64_t id, const std::atomic<bool>& stop,
                        const std::function<void(const LeaseReply&)>& on_renewal,
                        KeepAliveOptions options) {
  std::optional<Clock::time_point> alive_until;  // the lease's deadline as of our last renewal
  while (!stop) {
    auto renewed = lease_keep_alive(client, id);
    if (renewed) {
      alive_until = Clock::now() + std::chrono::seconds(renewed->ttl_s);
      if (on_renewal) on_renewal(*renewed);
      wait(std::max<std::int64_t>(renewed->ttl_s * 1000 / 3, options.poll_ms), stop,
           options.poll_ms);
      continue;
    }
    if (renewed.error().code == "lease_not_found") return renewed.error();
    if (!alive_until) return renewed.error();  // never renewed: nothing to keep trying for
    if (Clock::now() >= *alive_until)
      return Error{"lease_expired", "lease " + format_lease_id(id) +
                                        ": no keep-alive got through before its TTL ran out (" +
                                        renewed.error().message + ")"};
    wait(options.retry_ms, stop, options.poll_ms);
  }
  return Ok{};
}

}  // namespace craton::store
