// Conditional single-key writes and reads: the requests and what their answers mean.
#include "actors/store/client/conditional_write.hpp"

namespace craton::store {

StoreRequest conditional_write(const std::string& key, std::int64_t expected,
                               storage::RequestOp op) {
  storage::TxnRequest txn;
  txn.compare.push_back(storage::Compare{
      storage::CompareResult::equal, storage::CompareTarget::mod_revision, key, "", expected, ""});
  txn.success.push_back(std::move(op));
  txn.failure.push_back(storage::RangeRequest{key, "", 0, 0, true, false});
  return StoreRequest{storage::WriteRequest{std::move(txn)}};
}

Result<std::int64_t> conditional_write_outcome(const Result<StoreReply>& reply,
                                               const std::string& key, std::int64_t expected) {
  if (!reply) return reply.error();
  if (reply->error) return to_error(*reply->error);
  auto* write = std::get_if<storage::WriteResponse>(&reply->body);
  auto* response = write ? std::get_if<storage::TxnResponse>(write) : nullptr;
  if (response == nullptr) return Error{"malformed", "the store answered a txn with no txn reply"};
  if (response->succeeded) return response->header_revision;
  if (expected == 0) return Error{"exists", key + " exists"};
  auto* range = response->responses.empty()
                    ? nullptr
                    : std::get_if<storage::RangeResponse>(&response->responses.front());
  if (range != nullptr && range->kvs.empty()) return Error{"not_found", key + " is gone"};
  return Error{"conflict", key + " changed"};
}

StoreRequest grant_lease(std::int64_t ttl_s) {
  return StoreRequest{storage::WriteRequest{storage::LeaseGrantRequest{0, ttl_s}}};
}

Result<storage::LeaseGrantResponse> grant_lease_outcome(const Result<StoreReply>& reply) {
  if (!reply) return reply.error();
  if (reply->error) return to_error(*reply->error);
  auto* write = std::get_if<storage::WriteResponse>(&reply->body);
  auto* granted = write ? std::get_if<storage::LeaseGrantResponse>(write) : nullptr;
  if (granted == nullptr)
    return Error{"malformed", "the store answered a lease grant with no grant reply"};
  return *granted;
}

StoreRequest read_key(const std::string& key) {
  return StoreRequest{ReadRequest{storage::RangeRequest{key, "", 0, 0, false, false}}};
}

Result<std::optional<storage::KeyValue>> read_key_outcome(const Result<StoreReply>& reply) {
  if (!reply) return reply.error();
  if (reply->error) return to_error(*reply->error);
  auto* range = std::get_if<storage::RangeResponse>(&reply->body);
  if (range == nullptr) return Error{"malformed", "the store answered a read with no range"};
  if (range->kvs.empty()) return std::optional<storage::KeyValue>();
  return std::optional<storage::KeyValue>(range->kvs.front());
}

}  // namespace craton::store
