// StoreObjectStore: the API server's ObjectStore over craton's store, through a StoreClient
// (leader redirects, retries, sessions: actors/store/client/client.hpp). Each write is one
// etcd-style transaction comparing the key's mod revision, as etcd-backed Kubernetes writes
// (create: mod_revision == 0; update and delete: == the revision read), with a read of the
// key on failure to tell a conflict from a vanished object. Process code (blocking).
#pragma once

#include "actors/api/server/object_store.hpp"
#include "actors/store/client/client.hpp"

namespace craton::api {

class StoreObjectStore final : public ObjectStore {
 public:
  explicit StoreObjectStore(store::StoreClient& client) : client_(client) {}

  // Each answers before it returns (it blocks on the StoreClient).
  void create(const std::string& key, const std::string& value, Done<std::int64_t> done) override;
  void update(const std::string& key, const std::string& value, std::int64_t expected,
              Done<std::int64_t> done) override;
  void remove(const std::string& key, std::int64_t expected, Done<std::int64_t> done) override;
  void get(const std::string& key, Done<Found> done) override;
  /// Every key under `prefix` and the revision of the read (for the watch cache).
  Result<std::pair<std::int64_t, std::vector<StoredObject>>> list(const std::string& prefix);

 private:
  Result<std::int64_t> write_if(const std::string& key, std::int64_t expected,
                                storage::RequestOp op);

  store::StoreClient& client_;
};

}  // namespace craton::api
