// InformerCache: the objects an informer holds, by key, with named indexes (client-go's
// Indexer / ThreadSafeStore, without the locking: the owner serializes access).
//
// An index is a function from an object to the values it is filed under (its namespace, its
// spec.nodeName, the uids of its owners); by_index(name, value) answers which objects have
// that value. Every put() and erase() refiles the object under each index, so an object whose
// indexed field changed is found under its new value only. Indexes added after objects are
// refiled at once. Iteration and lookups are in key order, so callers see one stable order.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "actors/api/informer/informer_object.hpp"

namespace craton::api {

/// The values an object is filed under in one index (none: it is not in that index).
using IndexFunction = std::function<std::vector<std::string>(const InformerObject&)>;

/// metadata.namespace (cluster-scoped objects: not filed).
IndexFunction index_by_namespace();
/// The uid of every metadata.ownerReferences entry (what a controller looks its children up by).
IndexFunction index_by_owner_uid();
/// A Text field reached by a dotted path of field names ("spec.nodeName"); objects where it is
/// empty or absent are not filed. Precondition: path is non-empty.
IndexFunction index_by_field(std::string path);

class InformerCache {
 public:
  /// Adds (or replaces) the index `name`, refiling every object held. Precondition: the function
  /// is set; a name may be registered once.
  void add_index(const std::string& name, IndexFunction function);

  bool has_index(const std::string& name) const { return indexes_.count(name) > 0; }

  /// Inserts or replaces the object under its key, refiling it in every index.
  void put(const InformerObject& object);
  /// Removes the object with this key (nothing if absent).
  void erase(const std::string& key);

  std::optional<InformerObject> get(const std::string& key) const;
  /// Every object, in key order.
  std::vector<InformerObject> list() const;
  /// Every key, in order.
  std::vector<std::string> keys() const;
  /// The objects filed under `value` in index `name`, in key order. Precondition: the index
  /// exists (asking for an unknown one is a programming error).
  std::vector<InformerObject> by_index(const std::string& name, const std::string& value) const;
  /// The values index `name` files objects under now, in order.
  std::vector<std::string> index_values(const std::string& name) const;

  std::size_t size() const { return objects_.size(); }

 private:
  struct Index {
    IndexFunction function;
    std::map<std::string, std::set<std::string>> keys_by_value;
  };
  /// Files `key` under `values` (what the index's function gives for the object), or takes it
  /// out from under them. The function is pure, so the values it gave for an object held are
  /// the ones it is filed under.
  void file(Index& index, const std::string& key, const std::vector<std::string>& values);
  void unfile(Index& index, const std::string& key, const std::vector<std::string>& values);

  std::map<std::string, InformerObject> objects_;
  std::map<std::string, Index> indexes_;
};

}  // namespace craton::api
