// Conditional writes and reads of /registry/ keys as store transactions.
#include "actors/api/host/store_object_store.hpp"

#include "runtime/assert.hpp"

namespace craton::api {

Result<std::int64_t> StoreObjectStore::write_if(const std::string& key, std::int64_t expected,
                                                storage::RequestOp op) {
  storage::TxnRequest txn;
  txn.compare.push_back(storage::Compare{
      storage::CompareResult::equal, storage::CompareTarget::mod_revision, key, "", expected, ""});
  txn.success.push_back(std::move(op));
  txn.failure.push_back(storage::RangeRequest{key, "", 0, 0, true, false});
  auto reply = client_.call(store::StoreRequest{storage::WriteRequest{std::move(txn)}});
  if (!reply) return reply.error();
  CRATON_ASSERT(!reply->error, "StoreClient::call returns the store's errors as Errors");
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

void StoreObjectStore::create(const std::string& key, const std::string& value,
                              Done<std::int64_t> done) {
  done(write_if(key, 0, storage::PutRequest{key, value, 0, false}));
}

void StoreObjectStore::update(const std::string& key, const std::string& value,
                              std::int64_t expected, Done<std::int64_t> done) {
  done(write_if(key, expected, storage::PutRequest{key, value, 0, false}));
}

void StoreObjectStore::remove(const std::string& key, std::int64_t expected,
                              Done<std::int64_t> done) {
  done(write_if(key, expected, storage::DeleteRangeRequest{key, "", false}));
}

void StoreObjectStore::get(const std::string& key, Done<Found> done) {
  auto reply = client_.call(store::StoreRequest{store::ReadRequest{storage::RangeRequest{key}}});
  if (!reply) return done(reply.error());
  CRATON_ASSERT(!reply->error, "StoreClient::call returns the store's errors as Errors");
  auto* range = std::get_if<storage::RangeResponse>(&reply->body);
  if (range == nullptr) return done(Error{"malformed", "the store answered a read with no range"});
  if (range->kvs.empty()) return done(Found());
  const auto& kv = range->kvs.front();
  done(Found(StoredObject{kv.key, kv.value, kv.mod_revision}));
}

Result<std::pair<std::int64_t, std::vector<StoredObject>>> StoreObjectStore::list(
    const std::string& prefix) {
  storage::RangeRequest range{prefix, storage::prefix_end(prefix)};
  auto reply = client_.call(store::StoreRequest{store::ReadRequest{range}});
  if (!reply) return reply.error();
  CRATON_ASSERT(!reply->error, "StoreClient::call returns the store's errors as Errors");
  auto* r = std::get_if<storage::RangeResponse>(&reply->body);
  if (r == nullptr) return Error{"malformed", "the store answered a read with no range"};
  std::vector<StoredObject> out;
  out.reserve(r->kvs.size());
  for (auto& kv : r->kvs) out.push_back(StoredObject{kv.key, std::move(kv.value), kv.mod_revision});
  return std::pair{r->header_revision, std::move(out)};
}

}  // namespace craton::api
