// MemoryObjectStore: an ObjectStore over a std::map that feeds the API services it serves as the
// store's watch would: every write is applied to them at once, revisions counted as the store
// counts them, each call answered before it returns. Not thread-safe. For the API service's
// tests (tests/api/api_fixture.hpp) and for in-process benchmarks that want the API's real
// write path without a Raft store (bench/scheduler_bench: binds through the API). TTLs are
// recorded, never expired.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "actors/api/server/api_service.hpp"

namespace craton::api {

class MemoryObjectStore final : public ObjectStore {
  // Each call answers before it returns.
 public:
  ApiService* service = nullptr;
  /// Further services over the same store (several API servers), fed the same changes.
  std::vector<ApiService*> also;
  std::map<std::string, StoredObject> objects;
  /// The TTL each key was last written with (0: none), as the store would hold its lease.
  std::map<std::string, std::int64_t> ttls_s;
  std::int64_t revision = 1;
  int writes = 0;
  /// Non-empty: writes are applied but answered with this error code, as the store answers
  /// a copy of a write whose first copy took effect and whose answer was lost: "duplicate"
  /// (client sessions, store_calls.hpp) or, for a create without a session, "exists".
  std::string lost_answer;

  void create(const std::string& key, const std::string& value, std::int64_t ttl_s,
              Done<std::int64_t> done) override {
    if (objects.count(key)) return done(Error{"exists", key});
    done(answered(put(key, value, ttl_s)));
  }
  void update(const std::string& key, const std::string& value, std::int64_t expected,
              std::int64_t ttl_s, Done<std::int64_t> done) override {
    auto it = objects.find(key);
    if (it == objects.end()) return done(Error{"not_found", key});
    if (it->second.mod_revision != expected) return done(Error{"conflict", key});
    done(answered(put(key, value, ttl_s)));
  }
  void remove(const std::string& key, std::int64_t expected, Done<std::int64_t> done) override {
    auto it = objects.find(key);
    if (it == objects.end()) return done(Error{"not_found", key});
    if (it->second.mod_revision != expected) return done(Error{"conflict", key});
    objects.erase(it);
    ttls_s.erase(key);
    ++writes;
    ++revision;
    for (auto* s : fed()) s->apply({FeedChange{key, revision, std::nullopt}});
    done(revision);
  }
  void get(const std::string& key, Done<Found> done) override {
    auto it = objects.find(key);
    if (it == objects.end()) return done(Found());
    done(Found(it->second));
  }

 private:
  Result<std::int64_t> answered(Result<std::int64_t> written) const {
    if (lost_answer.empty() || !written) return written;
    return Error{lost_answer, "applied once; the answer was lost"};
  }
  std::vector<ApiService*> fed() const {
    std::vector<ApiService*> out = also;
    out.insert(out.begin(), service);
    return out;
  }
  Result<std::int64_t> put(const std::string& key, const std::string& value, std::int64_t ttl_s) {
    ++writes;
    ttls_s[key] = ttl_s;
    objects[key] = StoredObject{key, value, ++revision};
    for (auto* s : fed()) s->apply({FeedChange{key, revision, value}});
    return revision;
  }
};

}  // namespace craton::api
