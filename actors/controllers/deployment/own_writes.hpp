// OwnWrites: the ReplicaSet writes of a Deployment's last sync that its ReplicaSet informer has
// not shown yet. The next sync of that Deployment waits for them: a sync on a cache without
// them sizes ReplicaSets on counts that are no longer true. The simulator found both halves:
// a rollout arriving right after a create sized the next ReplicaSet as if the first did not
// exist (seed 1024), and a rollout arriving right after a scale-up of the new ReplicaSet
// (not yet in the cache) gave the newest one a replica too many (seed 1057). Updates at a stale
// resourceVersion get a 409; creates and the sizes computed from stale counts do not, hence
// this. Kubernetes' deployment controller has no such wait and relies on a quick informer.
//
// A write answered with its resourceVersion is awaited until the informer holds that object at
// that version or later (at most ttl_ms: a lost event must not stall a Deployment for good); a
// write with no answer (code 0, 504) may still be applied, so the object is awaited for
// unknown_ms at a version past the one the write was made at (a create: to exist at all). An
// updated object the cache no longer holds was deleted since (a relist skips versions): nothing
// to wait for.
// Refused writes are not awaited. Pure; the caller's clock.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace craton::controllers {

class OwnWrites {
 public:
  explicit OwnWrites(std::int64_t ttl_ms = 5 * 60 * 1000, std::int64_t unknown_ms = 20'000)
      : ttl_ms_(ttl_ms), unknown_ms_(unknown_ms) {}

  /// `owner`'s write of `object` (a "namespace/name" key) was answered with `code`:
  /// `resource_version` is the version it made (2xx), `written_at` the version it was made at
  /// (0 for a create).
  void answered(const std::string& owner, const std::string& object, int code,
                std::int64_t resource_version, std::int64_t written_at, std::int64_t now_ms);

  /// The cached resourceVersion of an object by key, or nullopt when the cache has none.
  using Lookup = std::function<std::optional<std::int64_t>(const std::string& object)>;
  /// Drops what the cache shows or what lapsed; true when nothing of `owner` is left to wait
  /// for. Otherwise `due_ms` gets the time by which the wait ends by itself.
  bool settled(const std::string& owner, const Lookup& cached, std::int64_t now_ms,
               std::optional<std::int64_t>& due_ms);

  void forget(const std::string& owner) { awaited_.erase(owner); }
  void clear() { awaited_.clear(); }

 private:
  struct Awaited {
    std::int64_t version = 0;  ///< shown at this version or later
    std::int64_t until_ms = 0;
    bool created = false;  ///< absent means not shown yet; for an update, deleted since
  };
  std::int64_t ttl_ms_;
  std::int64_t unknown_ms_;
  std::map<std::string, std::map<std::string, Awaited>> awaited_;  ///< owner -> object -> wait
};

}  // namespace craton::controllers
