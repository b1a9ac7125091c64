// ObjectStore: what the API server needs of the consistent store, and nothing more. Keys are
// /registry/... (registry/object_meta.hpp), values encoded objects, revisions the store's.
// Every write is conditional, so a request that lost a race changes nothing:
// - create: only if the key is absent ("exists" otherwise);
// - update and remove: only if the key's mod revision is still `expected` ("conflict"
//   otherwise, "not_found" when the key is gone).
// A write with `ttl_s` > 0 (an Event's, under --event-ttl) makes the key expire: the store
// deletes it, and watchers see it deleted, no sooner than ttl_s after the write and at most
// a short reuse window later (server/lease_reuse.hpp); an update starts its TTL again. 0: the
// key never expires (and an update of an expiring key makes it permanent).
// Errors the store itself reports pass through with their codes ("timeout": the outcome of a
// write is unknown; "unavailable": no replica answered).
// Every call answers through `done`, exactly once: at once (a blocking or in-memory
// implementation) or later, from another thread or from the actor that made the call (the API
// actor's store, actors/api/actor/). An implementation copies what it needs of the arguments
// before it returns. The implementation over a StoreClient is host/store_object_store.hpp
// (process code); tests may give a map-backed one. Safe to call from several threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "runtime/result.hpp"

namespace craton::api {

struct StoredObject {
  std::string key;
  std::string value;
  std::int64_t mod_revision = 0;
};

class ObjectStore {
 public:
  template <class T>
  using Done = std::function<void(Result<T>)>;
  using Found = std::optional<StoredObject>;

  virtual ~ObjectStore() = default;
  /// Each write answers the revision it made.
  virtual void create(const std::string& key, const std::string& value, std::int64_t ttl_s,
                      Done<std::int64_t> done) = 0;
  virtual void update(const std::string& key, const std::string& value, std::int64_t expected,
                      std::int64_t ttl_s, Done<std::int64_t> done) = 0;
  virtual void remove(const std::string& key, std::int64_t expected, Done<std::int64_t> done) = 0;
  /// A linearizable read of one key (nullopt: absent).
  virtual void get(const std::string& key, Done<Found> done) = 0;
};

}  // namespace craton::api
