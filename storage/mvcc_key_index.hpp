// KeyIndex: the in-memory index of the MVCC store, in the manner of etcd's treeIndex.
//
// Why in memory: on disk every version is keyed by its revision (16 bytes), so LMDB's 511-byte
// key limit never meets a user key (up to 4 KiB), and key order comes from this std::map, which
// compares whole keys byte-wise (etcd's order). The index is rebuilt from the revision records
// when the store opens; it holds every key with the revisions still on disk, not the values.
//
// Promises: marks of a key are in ascending revision order; after compact(rev) every key keeps
// the latest mark at or below rev unless that mark is a tombstone, so reads at any revision
// >= rev answer exactly as before.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace craton::storage {

/// A write's position: the store revision (main) and its place inside that revision (sub).
struct Revision {
  std::int64_t main = 0;
  std::int64_t sub = 0;
  auto operator<=>(const Revision&) const = default;
};

/// The history of one key.
struct KeyHistory {
  struct Mark {
    Revision rev;
    bool tombstone = false;
  };
  std::vector<Mark> marks;  ///< ascending; a tombstone ends a generation
  // The live generation; version 0 means the key does not exist now.
  std::int64_t create_revision = 0;
  std::int64_t version = 0;
  std::int64_t lease = 0;

  /// The mark that is visible at `rev` (the latest at or below it, if not a tombstone).
  std::optional<Revision> visible_at(std::int64_t rev) const;
  /// The latest mark strictly before `rev`, if it is a put.
  std::optional<Revision> put_before(Revision rev) const;
};

/// True when `key` lies in the range (see kv_types.hpp for the range_end conventions).
bool in_range(std::string_view key, std::string_view range_key, std::string_view range_end);

class KeyIndex {
 public:
  /// Records a put of `key` at `rev` with the live generation's fields after it.
  void put(const std::string& key, Revision rev, std::int64_t create_revision, std::int64_t version,
           std::int64_t lease);
  /// Records a delete of `key` at `rev`.
  void tombstone(const std::string& key, Revision rev);

  const KeyHistory* find(std::string_view key) const;

  /// Calls fn(key, history) for each key of the range in key order until fn returns false.
  void for_each(std::string_view key, std::string_view range_end,
                const std::function<bool(const std::string&, const KeyHistory&)>& fn) const;

  /// Drops history below `rev` (see the promise above) and returns the dropped revisions.
  std::vector<Revision> compact(std::int64_t rev);

  void clear() { keys_.clear(); }
  std::size_t size() const { return keys_.size(); }

 private:
  std::map<std::string, KeyHistory, std::less<>> keys_;
};

}  // namespace craton::storage
