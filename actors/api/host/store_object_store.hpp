// StoreObjectStore: the API server's ObjectStore over craton's store, through a StoreClient
// (leader redirects, retries, sessions: actors/store/client/client.hpp). Each write is one
// etcd-style transaction comparing the key's mod revision, as etcd-backed Kubernetes writes
// (create: mod_revision == 0; update and delete: == the revision read), with a read of the
// key on failure to tell a conflict from a vanished object. A write with a TTL is put with a
// store lease that LeaseReuse (server/lease_reuse.hpp) picks or has granted first, one grant
// at a time; a put whose lease the store no longer has is tried once more with a new one.
// Process code.
//
// The StoreClient blocks its caller for a whole Raft round trip, so the calls run on a pool
// of `callers` threads of this store's own, not on the API's workers: a request waits for the
// store without holding a worker, and up to `callers` calls are in flight at once (with
// workers blocked on the store, throughput was capped at workers / store latency: 8 / 14 ms,
// about 570 writes/s). Each answer goes to `resume` (the API host's workers) so that the rest
// of the request runs there. At most `queued_max` calls wait for a caller; beyond, a call is
// answered "unavailable" at once. stop() (or the destructor) ends the callers after the calls
// they are making; calls still queued are answered "unavailable".
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "actors/api/server/lease_reuse.hpp"
#include "actors/api/server/object_store.hpp"
#include "actors/store/client/client.hpp"

namespace craton::api {

struct StoreObjectStoreOptions {
  std::size_t callers = 32;       ///< threads making store calls, so calls in flight at most
  std::size_t queued_max = 4096;  ///< calls waiting for a caller
  /// Where an answer goes on (null: on the caller thread).
  std::function<void(std::function<void()>)> resume;
};

class StoreObjectStore final : public ObjectStore {
 public:
  explicit StoreObjectStore(store::StoreClient& client, StoreObjectStoreOptions options = {});
  ~StoreObjectStore() override;
  StoreObjectStore(const StoreObjectStore&) = delete;
  StoreObjectStore& operator=(const StoreObjectStore&) = delete;

  // Each answers later, through options.resume.
  void create(const std::string& key, const std::string& value, std::int64_t ttl_s,
              Done<std::int64_t> done) override;
  void update(const std::string& key, const std::string& value, std::int64_t expected,
              std::int64_t ttl_s, Done<std::int64_t> done) override;
  void remove(const std::string& key, std::int64_t expected, Done<std::int64_t> done) override;
  void get(const std::string& key, Done<Found> done) override;
  /// Every key under `prefix` and the revision of the read (for the watch cache). Blocks.
  Result<std::pair<std::int64_t, std::vector<StoredObject>>> list(const std::string& prefix);
  /// Ends the callers (each after its call in flight) and refuses what is still queued.
  void stop();

 private:
  /// Runs `call` on a caller and hands its answer to `done` through options.resume.
  template <class T>
  void run(std::function<Result<T>()> call, Done<T> done);
  void enqueue(std::function<void()> job, std::function<void()> refuse);
  void call_loop();
  Result<std::int64_t> write_if(const std::string& key, std::int64_t expected,
                                storage::RequestOp op);
  /// A put of key if its mod revision is `expected`, with a lease when ttl_s > 0.
  Result<std::int64_t> put_if(const std::string& key, const std::string& value,
                              std::int64_t expected, std::int64_t ttl_s);
  /// The lease a write of ttl_s goes with: the cached one, or one granted now.
  Result<std::int64_t> lease_for(std::int64_t ttl_s);

  store::StoreClient& client_;
  StoreObjectStoreOptions options_;
  std::mutex mutex_;  // queue_, stopping_
  std::condition_variable ready_;
  std::deque<std::pair<std::function<void()>, std::function<void()>>> queue_;  ///< job, refusal
  bool stopping_ = false;
  std::vector<std::thread> callers_;
  std::mutex lease_mutex_;  // leases_, held across a grant
  LeaseReuse leases_;
};

}  // namespace craton::api
