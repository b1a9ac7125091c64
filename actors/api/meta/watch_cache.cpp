// WatchCache: objects at the newest revision plus a window of changes to rewind or replay.
#include "actors/api/meta/watch_cache.hpp"

#include <algorithm>

namespace craton::api {
namespace {

bool under(const std::string& key, const std::string& prefix) {
  return key.compare(0, prefix.size(), prefix) == 0;
}

Error too_new(std::int64_t wanted, std::int64_t have) {
  return Error{"too_new", "too large resource version: " + std::to_string(wanted) +
                              ", current: " + std::to_string(have)};
}

}  // namespace

void WatchCache::reset(std::int64_t revision, std::vector<CachedObject> objects) {
  objects_.clear();
  for (auto& o : objects) objects_[o.key] = std::move(o);
  revision_ = revision;
  oldest_servable_ = revision;
  window_.clear();
}

Result<std::optional<Change>> WatchCache::apply(const std::string& key, std::int64_t revision,
                                                std::optional<std::string> value) {
  // Several keys may change at one revision (one transaction; etcd refuses a key twice in
  // one): another key at the revision of the cache's last change is in order.
  bool same_txn = revision == revision_ && !window_.empty() &&
                  window_.back().revision == revision && window_.back().key != key;
  if (revision <= revision_ && !same_txn)
    return Error{"invalid", "change of " + key + " at revision " + std::to_string(revision) +
                                " is not after the cache's revision " + std::to_string(revision_)};
  revision_ = revision;
  auto it = objects_.find(key);
  Change change;
  change.key = key;
  change.revision = revision;
  if (it != objects_.end()) {
    change.previous = it->second.value;
    change.previous_revision = it->second.mod_revision;
  }
  if (value) {
    change.type = it == objects_.end() ? ChangeType::added : ChangeType::modified;
    change.value = CachedValue(std::move(*value));
    objects_[key] = CachedObject{key, revision, change.value};
  } else {
    if (it == objects_.end()) return std::optional<Change>();  // nothing was there
    change.type = ChangeType::deleted;
    change.value = it->second.value;
    objects_.erase(it);
  }
  window_.push_back(change);
  while (window_.size() > window_max_) {
    oldest_servable_ = window_.front().revision;
    window_.pop_front();
  }
  return std::optional<Change>(std::move(change));
}

void WatchCache::progress(std::int64_t revision) {
  revision_ = std::max(revision_, revision);
}

Error WatchCache::gone(std::int64_t revision) const {
  return Error{"gone", "too old resource version: " + std::to_string(revision) + " (" +
                           std::to_string(oldest_servable_) + ")"};
}

Result<std::pair<std::int64_t, std::vector<CachedObject>>> WatchCache::list(
    const std::string& prefix, ListMode mode, std::int64_t revision) const {
  if (mode != ListMode::latest && revision > revision_) return too_new(revision, revision_);
  if (mode == ListMode::exact && revision < oldest_servable_) return gone(revision);
  if (mode != ListMode::exact) {  // the objects as they are: one copy, no intermediate map
    std::vector<CachedObject> out;
    for (auto it = objects_.lower_bound(prefix); it != objects_.end() && under(it->first, prefix);
         ++it)
      out.push_back(it->second);
    return std::pair{revision_, std::move(out)};
  }
  std::map<std::string, CachedObject> view;
  for (auto it = objects_.lower_bound(prefix); it != objects_.end() && under(it->first, prefix);
       ++it)
    view.emplace(it->first, it->second);
  // Undo, newest first, every change after the wanted revision.
  for (auto it = window_.rbegin(); it != window_.rend() && it->revision > revision; ++it) {
    if (!under(it->key, prefix)) continue;
    if (it->type == ChangeType::added)
      view.erase(it->key);
    else
      view[it->key] = CachedObject{it->key, it->previous_revision, *it->previous};
  }
  std::vector<CachedObject> out;
  out.reserve(view.size());
  for (auto& [key, object] : view) out.push_back(std::move(object));
  return std::pair{revision, std::move(out)};
}

std::optional<CachedObject> WatchCache::get(const std::string& key) const {
  auto it = objects_.find(key);
  if (it == objects_.end()) return std::nullopt;
  return it->second;
}

Result<std::vector<Change>> WatchCache::events_after(const std::string& prefix,
                                                     std::int64_t after) const {
  if (after > revision_) return too_new(after, revision_);
  if (after < oldest_servable_) return gone(after);
  std::vector<Change> out;
  auto first = std::upper_bound(window_.begin(), window_.end(), after,
                                [](std::int64_t r, const Change& c) { return r < c.revision; });
  for (auto it = first; it != window_.end(); ++it)
    if (under(it->key, prefix)) out.push_back(*it);
  return out;
}

}  // namespace craton::api
