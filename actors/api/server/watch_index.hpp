// WatchIndex: which watchers one change of the watch cache can reach, so that a change is not
// filtered against every watcher (issue 15: 5,000 node agents each watch pods with
// `spec.nodeName=<node>`; filtering each of 150,000 pods' changes against all 5,000 was the
// API's fan-out cost, and so was filtering each Event's creation against every pod watcher).
//
// Watchers are filed under their resource. A watcher whose field selector has an equality
// requirement (the first one: `field=value`) is indexed under its resource, field and value;
// the others are unindexed and get every change of their resource. A watcher filed under no
// resource ("") gets every change. A change of a resource reaches that resource's unindexed
// watchers and the indexed ones whose (field, value) the changed object had before or has after
// the change: the only ones whose selector can match either version, so the watcher's own
// filter (ApiService::deliver) still decides, and what each watcher receives is unchanged.
// Candidates come in ascending id order, the order of a full scan. Pure; the ApiService holds it
// under its mutex.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "actors/api/meta/field_selector.hpp"

namespace craton::api {

class WatchIndex {
 public:
  /// A field's value in one version of the changed object (nullopt: no such version, or the
  /// field is empty).
  using ValueOf = std::function<std::optional<std::string>(const std::string& field)>;

  /// Files watcher `id` under `resource` (its plural; "" for a watcher of every resource),
  /// indexed by `fields`' first equality requirement if it has one.
  void add(std::uint64_t id, const std::string& resource, const FieldSelector& fields);
  void remove(std::uint64_t id);
  void clear();
  /// An indexed watcher of `resource` (its kind decodes the change); 0 when none.
  std::uint64_t any_indexed(const std::string& resource) const;
  /// The watchers a change of `resource` can reach, ascending. `before` and `after` are asked
  /// only for the fields some watcher of `resource` is indexed by.
  std::vector<std::uint64_t> candidates(const std::string& resource, const ValueOf& before,
                                        const ValueOf& after) const;

 private:
  struct Entry {
    std::string resource, field, value;  ///< field empty: unindexed
  };
  struct Resource {
    std::set<std::uint64_t> unindexed;          ///< every change reaches them
    std::map<std::string, std::size_t> fields;  ///< indexed field -> watchers indexed by it
    std::map<std::pair<std::string, std::string>, std::set<std::uint64_t>> by_value;
    bool empty() const { return unindexed.empty() && fields.empty(); }
  };
  std::map<std::uint64_t, Entry> entries_;
  std::map<std::string, Resource> resources_;  ///< "" holds the watchers of every resource
};

}  // namespace craton::api
