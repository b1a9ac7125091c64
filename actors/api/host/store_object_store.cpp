// Conditional writes and reads of /registry/ keys as store transactions.
#include "actors/api/host/store_object_store.hpp"

#include "actors/store/client/conditional_write.hpp"
#include "runtime/assert.hpp"

namespace craton::api {

Result<std::int64_t> StoreObjectStore::write_if(const std::string& key, std::int64_t expected,
                                                storage::RequestOp op) {
  return store::conditional_write_outcome(
      client_.call(store::conditional_write(key, expected, std::move(op))), key, expected);
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
  auto kv = store::read_key_outcome(client_.call(store::read_key(key)));
  if (!kv) return done(kv.error());
  if (!*kv) return done(Found());
  done(Found(StoredObject{(*kv)->key, std::move((*kv)->value), (*kv)->mod_revision}));
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
