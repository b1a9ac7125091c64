// The watch index (see the header).
#include "actors/api/server/watch_index.hpp"

#include <algorithm>

namespace craton::api {

void WatchIndex::add(std::uint64_t id, const std::string& resource, const FieldSelector& fields) {
  const FieldRequirement* eq = nullptr;
  for (const auto& r : fields.requirements())
    if (r.equals && !r.value.empty()) {
      eq = &r;
      break;
    }
  // A watcher of every resource has no one resource's field to be indexed by.
  if (resource.empty()) eq = nullptr;
  auto& res = resources_[resource];
  if (eq == nullptr) {
    entries_[id] = Entry{resource, "", ""};
    res.unindexed.insert(id);
    return;
  }
  entries_[id] = Entry{resource, eq->field, eq->value};
  ++res.fields[eq->field];
  res.by_value[{eq->field, eq->value}].insert(id);
}

void WatchIndex::remove(std::uint64_t id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  const auto& e = it->second;
  auto& res = resources_[e.resource];
  if (e.field.empty()) {
    res.unindexed.erase(id);
  } else {
    auto key = std::make_pair(e.field, e.value);
    if (auto ids = res.by_value.find(key); ids != res.by_value.end()) {
      ids->second.erase(id);
      if (ids->second.empty()) res.by_value.erase(ids);
    }
    if (--res.fields[e.field] == 0) res.fields.erase(e.field);
  }
  if (res.empty()) resources_.erase(e.resource);
  entries_.erase(it);
}

void WatchIndex::clear() {
  entries_.clear();
  resources_.clear();
}

std::uint64_t WatchIndex::any_indexed(const std::string& resource) const {
  auto it = resources_.find(resource);
  if (it == resources_.end() || it->second.by_value.empty()) return 0;
  return *it->second.by_value.begin()->second.begin();
}

std::vector<std::uint64_t> WatchIndex::candidates(const std::string& resource,
                                                  const ValueOf& before,
                                                  const ValueOf& after) const {
  std::vector<std::uint64_t> ids;
  if (auto every = resources_.find(""); every != resources_.end())
    ids.insert(ids.end(), every->second.unindexed.begin(), every->second.unindexed.end());
  auto it = resources_.find(resource);
  if (resource.empty() || it == resources_.end()) return ids;
  const auto& res = it->second;
  ids.insert(ids.end(), res.unindexed.begin(), res.unindexed.end());
  auto add = [&](const std::string& field, const std::optional<std::string>& value) {
    if (!value) return;
    auto found = res.by_value.find({field, *value});
    if (found != res.by_value.end())
      ids.insert(ids.end(), found->second.begin(), found->second.end());
  };
  for (const auto& [field, count] : res.fields) {
    auto b = before(field), a = after(field);
    add(field, b);
    if (a != b) add(field, a);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

}  // namespace craton::api
