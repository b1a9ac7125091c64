// WatchCache: the API server's view of one resource's keys in the store (issue 11's watch
// cache), as kube-apiserver's cacher keeps it: the objects at the newest revision seen, plus a
// bounded window of the latest changes, so that LIST and GET at a recent revision and WATCH
// from a recent revision are served without reading the store.
//
// Fed in revision order: reset() with a LIST's objects at its revision, then apply() with
// every change the store's watch reports (puts and deletes, revisions increasing) and
// progress() with the revision a progress notification carries. Values are opaque bytes (the
// encoded object); selectors are the caller's, applied to what this returns. A value is held
// once (CachedValue) and shared by the objects now, the window's changes and every list: a
// LIST of 10,000 objects copies 10,000 handles, not 30 MiB.
//
// Revisions, as Kubernetes' resourceVersion semantics want them:
// - list(latest): the objects now, at revision().
// - list(not_older_than N): the objects now if N <= revision(); "too_new" if N is ahead of
//   what the cache has seen (kube-apiserver waits a little, then answers 504).
// - list(exact N): the objects as they were at N, rebuilt by undoing the window's changes
//   after N; "gone" if N is older than the window (410 Gone: the client relists).
// - events_after(N): every change with revision > N, in order; "gone" if changes after N have
//   left the window. N = revision() gives nothing (a watch that starts now).
// Bounded: window_max changes (the oldest dropped first); a dropped change makes revisions at
// or below its own unservable by exact lists and watches.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/result.hpp"

namespace craton::api {

/// One version of an object's stored bytes, immutable and shared by handle (copying a
/// CachedValue copies a pointer). It reads as the bytes (`const std::string&`). It also keeps
/// one encoded form a reader derives from the bytes at a revision (the API server keeps the
/// object's JSON there, so that a LIST is a concatenation): made by the first reader that
/// needs it, kept while this version is held, safe to read and keep from any thread.
class CachedValue {
 public:
  /// An encoded form of the bytes as they are at `revision` (the text depends on it).
  struct Encoded {
    std::int64_t revision = 0;
    std::string text;
  };

  CachedValue() : CachedValue(std::string()) {}
  CachedValue(std::string bytes) : shared_(std::make_shared<Shared>(std::move(bytes))) {}
  CachedValue(const char* bytes) : CachedValue(std::string(bytes)) {}

  const std::string& bytes() const { return shared_->bytes; }
  operator const std::string&() const { return shared_->bytes; }
  std::size_t size() const { return shared_->bytes.size(); }
  bool operator==(const CachedValue& other) const { return bytes() == other.bytes(); }

  /// The encoded form kept for `revision`, or null (none yet, or kept for another revision).
  std::shared_ptr<const Encoded> encoded(std::int64_t revision) const {
    auto kept = shared_->encoded.load();
    return kept && kept->revision == revision ? kept : nullptr;
  }
  /// Keeps `encoded` (replacing what was kept: readers racing to make it make equal texts).
  void keep(std::shared_ptr<const Encoded> encoded) const { shared_->encoded.store(encoded); }

 private:
  struct Shared {
    explicit Shared(std::string b) : bytes(std::move(b)) {}
    const std::string bytes;
    std::atomic<std::shared_ptr<const Encoded>> encoded;
  };
  std::shared_ptr<Shared> shared_;
};

struct CachedObject {
  std::string key;
  std::int64_t mod_revision = 0;
  CachedValue value;
  bool operator==(const CachedObject&) const = default;
};

enum class ChangeType { added, modified, deleted };

struct Change {
  ChangeType type = ChangeType::added;
  std::string key;
  std::int64_t revision = 0;
  CachedValue value;  ///< the new value; for deleted, the last value (what a watch shows)
  std::optional<CachedValue> previous;  ///< the value before (absent for added)
  std::int64_t previous_revision = 0;   ///< its mod revision (0 for added)
};

enum class ListMode { latest, not_older_than, exact };

class WatchCache {
 public:
  explicit WatchCache(std::size_t window_max) : window_max_(window_max) {}

  /// Replaces everything with a LIST taken at `revision`; the window starts empty there.
  void reset(std::int64_t revision, std::vector<CachedObject> objects);
  /// A put (value) or delete (nullopt) of `key` at `revision` > revision() (or equal to the
  /// revision of the last change: one transaction). Puts of a key not present are "added",
  /// of a present one "modified"; deletes of an absent key are ignored. Returns the change it
  /// made (what watchers are sent), or nullopt when nothing changed.
  Result<std::optional<Change>> apply(const std::string& key, std::int64_t revision,
                                      std::optional<std::string> value);
  /// The store says nothing under this resource changed up to `revision`.
  void progress(std::int64_t revision);

  std::int64_t revision() const { return revision_; }
  /// The oldest revision exact lists and watches can start from.
  std::int64_t oldest_servable() const { return oldest_servable_; }
  std::size_t size() const { return objects_.size(); }

  /// Objects under `prefix`, sorted by key, and the revision they are at.
  Result<std::pair<std::int64_t, std::vector<CachedObject>>> list(const std::string& prefix,
                                                                  ListMode mode,
                                                                  std::int64_t revision) const;
  std::optional<CachedObject> get(const std::string& key) const;
  /// Changes under `prefix` with revision > `after`, oldest first.
  Result<std::vector<Change>> events_after(const std::string& prefix, std::int64_t after) const;

 private:
  Error gone(std::int64_t revision) const;

  std::size_t window_max_;
  std::int64_t revision_ = 0;
  std::int64_t oldest_servable_ = 0;
  std::map<std::string, CachedObject> objects_;
  std::deque<Change> window_;
};

}  // namespace craton::api
