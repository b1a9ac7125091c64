// ObjectStore: what the API server needs of the consistent store, and nothing more. Keys are
// /registry/... (registry/object_meta.hpp), values encoded objects, revisions the store's.
// Every write is conditional, so a request that lost a race changes nothing:
// - create: only if the key is absent ("exists" otherwise);
// - update and remove: only if the key's mod revision is still `expected` ("conflict"
//   otherwise, "not_found" when the key is gone).
// Errors the store itself reports pass through with their codes ("timeout": the outcome of a
// write is unknown; "unavailable": no replica answered).
// The implementation over craton's store is store_object_store.hpp (process code); tests may
// give a map-backed one. Safe to call from several threads at once.
#pragma once

#include <cstdint>
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
  virtual ~ObjectStore() = default;
  /// The revision of the write.
  virtual Result<std::int64_t> create(const std::string& key, const std::string& value) = 0;
  virtual Result<std::int64_t> update(const std::string& key, const std::string& value,
                                      std::int64_t expected) = 0;
  virtual Result<std::int64_t> remove(const std::string& key, std::int64_t expected) = 0;
  /// A linearizable read of one key (nullopt: absent).
  virtual Result<std::optional<StoredObject>> get(const std::string& key) = 0;
};

}  // namespace craton::api
