// Conditional writes and reads of /registry/ keys as store transactions, on caller threads.
#include "actors/api/host/store_object_store.hpp"

#include <chrono>

#include "actors/store/client/conditional_write.hpp"
#include "runtime/assert.hpp"

namespace craton::api {

StoreObjectStore::StoreObjectStore(store::StoreClient& client, StoreObjectStoreOptions options)
    : client_(client), options_(std::move(options)) {
  CRATON_ASSERT(options_.callers > 0, "a store needs at least one caller thread");
  for (std::size_t i = 0; i < options_.callers; ++i) callers_.emplace_back([this] { call_loop(); });
}

StoreObjectStore::~StoreObjectStore() {
  stop();
}

void StoreObjectStore::stop() {
  std::deque<std::pair<std::function<void()>, std::function<void()>>> refused;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    refused.swap(queue_);
  }
  ready_.notify_all();
  for (auto& t : callers_) t.join();
  for (auto& [job, refuse] : refused) refuse();
}

void StoreObjectStore::call_loop() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      job = std::move(queue_.front().first);
      queue_.pop_front();
    }
    job();
  }
}

void StoreObjectStore::enqueue(std::function<void()> job, std::function<void()> refuse) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_ && queue_.size() < options_.queued_max) {
      queue_.emplace_back(std::move(job), std::move(refuse));
      ready_.notify_one();
      return;
    }
  }
  refuse();
}

template <class T>
void StoreObjectStore::run(std::function<Result<T>()> call, Done<T> done) {
  auto answer = [this, done](Result<T> result) {
    auto go_on = [done, result = std::move(result)]() mutable { done(std::move(result)); };
    if (options_.resume)
      options_.resume(std::move(go_on));
    else
      go_on();
  };
  enqueue([call = std::move(call), answer] { answer(call()); },
          [answer] {
            answer(Error{"unavailable", "the API server has too many store calls waiting"});
          });
}

Result<std::int64_t> StoreObjectStore::write_if(const std::string& key, std::int64_t expected,
                                                storage::RequestOp op) {
  return store::conditional_write_outcome(
      client_.call(store::conditional_write(key, expected, std::move(op))), key, expected);
}

Result<std::int64_t> StoreObjectStore::lease_for(std::int64_t ttl_s) {
  // One grant at a time (as kube's lease manager): writes that arrive during a grant take
  // the lease it brings instead of granting their own.
  std::lock_guard lock(lease_mutex_);
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count();
  if (auto id = leases_.reusable(ttl_s, now_ms)) return *id;
  auto ttl = leases_.grant_ttl_s(ttl_s);
  auto granted = store::grant_lease_outcome(client_.call(store::grant_lease(ttl)));
  if (!granted) return granted.error();
  leases_.granted(granted->id, ttl, now_ms);
  return granted->id;
}

Result<std::int64_t> StoreObjectStore::put_if(const std::string& key, const std::string& value,
                                              std::int64_t expected, std::int64_t ttl_s) {
  if (ttl_s <= 0) return write_if(key, expected, storage::PutRequest{key, value, 0, false});
  for (int attempt = 1;; ++attempt) {
    auto lease = lease_for(ttl_s);
    if (!lease) return lease.error();
    auto written = write_if(key, expected, storage::PutRequest{key, value, *lease, false});
    // The cached lease went early (revoked by hand): forget it and grant a new one, once.
    if (written || written.error().code != "lease_not_found" || attempt == 2) return written;
    std::lock_guard lock(lease_mutex_);
    leases_.forget(*lease);
  }
}

void StoreObjectStore::create(const std::string& key, const std::string& value, std::int64_t ttl_s,
                              Done<std::int64_t> done) {
  run<std::int64_t>([this, key, value, ttl_s] { return put_if(key, value, 0, ttl_s); },
                    std::move(done));
}

void StoreObjectStore::update(const std::string& key, const std::string& value,
                              std::int64_t expected, std::int64_t ttl_s, Done<std::int64_t> done) {
  run<std::int64_t>(
      [this, key, value, expected, ttl_s] { return put_if(key, value, expected, ttl_s); },
      std::move(done));
}

void StoreObjectStore::remove(const std::string& key, std::int64_t expected,
                              Done<std::int64_t> done) {
  run<std::int64_t>(
      [this, key, expected] {
        return write_if(key, expected, storage::DeleteRangeRequest{key, "", false});
      },
      std::move(done));
}

void StoreObjectStore::get(const std::string& key, Done<Found> done) {
  run<Found>(
      [this, key]() -> Result<Found> {
        auto kv = store::read_key_outcome(client_.call(store::read_key(key)));
        if (!kv) return kv.error();
        if (!*kv) return Found();
        return Found(StoredObject{(*kv)->key, std::move((*kv)->value), (*kv)->mod_revision});
      },
      std::move(done));
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
