// InformerCache: the objects by key and their indexes, refiled on every change.
#include "actors/api/informer/informer_cache.hpp"

#include <sstream>

namespace craton::api {

IndexFunction index_by_namespace() {
  return [](const InformerObject& o) {
    return o.name_space().empty() ? std::vector<std::string>{}
                                  : std::vector<std::string>{o.name_space()};
  };
}

IndexFunction index_by_owner_uid() {
  return [](const InformerObject& o) {
    std::vector<std::string> uids;
    auto meta = o.reader().get("metadata").as<capnp::DynamicStruct>();
    for (auto owner : meta.get("ownerReferences").as<capnp::DynamicList>()) {
      auto uid = owner.as<capnp::DynamicStruct>().get("uid").as<capnp::Text>();
      if (uid.size() > 0) uids.emplace_back(uid.cStr(), uid.size());
    }
    return uids;
  };
}

namespace {

// The Text at a path of field names, or "" where the path leads to nothing or to another type.
std::string text_at(capnp::DynamicStruct::Reader at, const std::vector<std::string>& names) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    KJ_IF_MAYBE (field, at.getSchema().findFieldByName(names[i])) {
      if (!at.has(*field)) return "";
      auto value = at.get(*field);
      if (i + 1 == names.size()) {
        if (value.getType() != capnp::DynamicValue::TEXT) return "";
        auto text = value.as<capnp::Text>();
        return std::string(text.cStr(), text.size());
      }
      if (value.getType() != capnp::DynamicValue::STRUCT) return "";
      at = value.as<capnp::DynamicStruct>();
    } else {
      return "";
    }
  }
  return "";
}

}  // namespace

IndexFunction index_by_field(std::string path) {
  CRATON_ASSERT(!path.empty(), "an index by an empty field path");
  std::vector<std::string> names;
  std::istringstream in(path);
  for (std::string part; std::getline(in, part, '.');) names.push_back(part);
  return [names](const InformerObject& o) {
    auto text = text_at(o.reader(), names);
    return text.empty() ? std::vector<std::string>{} : std::vector<std::string>{text};
  };
}

void InformerCache::add_index(const std::string& name, IndexFunction function) {
  CRATON_ASSERT(function != nullptr, "an index without a function");
  CRATON_ASSERT(indexes_.count(name) == 0, "an index registered twice");
  auto& index = indexes_[name];
  index.function = std::move(function);
  for (const auto& [key, object] : objects_) file(index, key, index.function(object));
}

void InformerCache::put(const InformerObject& object) {
  auto at = objects_.find(object.key());
  if (at == objects_.end()) {
    objects_.emplace(object.key(), object);
    for (auto& [name, index] : indexes_) file(index, object.key(), index.function(object));
    return;
  }
  // Refiled only in the indexes whose values changed: an update seldom moves an object (a
  // pod's status changes, not its namespace, node or owners), and a refiling is an erase and
  // an insert in a set that can hold every object (the namespace index at 150,000 pods).
  for (auto& [name, index] : indexes_) {
    auto before = index.function(at->second);
    auto after = index.function(object);
    if (before == after) continue;
    unfile(index, object.key(), before);
    file(index, object.key(), after);
  }
  at->second = object;
}

void InformerCache::erase(const std::string& key) {
  auto at = objects_.find(key);
  if (at == objects_.end()) return;
  for (auto& [name, index] : indexes_) unfile(index, key, index.function(at->second));
  objects_.erase(at);
}

std::optional<InformerObject> InformerCache::get(const std::string& key) const {
  auto at = objects_.find(key);
  if (at == objects_.end()) return std::nullopt;
  return at->second;
}

std::vector<InformerObject> InformerCache::list() const {
  std::vector<InformerObject> out;
  out.reserve(objects_.size());
  for (const auto& [key, object] : objects_) out.push_back(object);
  return out;
}

std::vector<std::string> InformerCache::keys() const {
  std::vector<std::string> out;
  out.reserve(objects_.size());
  for (const auto& [key, object] : objects_) out.push_back(key);
  return out;
}

std::vector<InformerObject> InformerCache::by_index(const std::string& name,
                                                    const std::string& value) const {
  auto index = indexes_.find(name);
  CRATON_ASSERT(index != indexes_.end(), "a lookup in an index never added");
  std::vector<InformerObject> out;
  auto filed = index->second.keys_by_value.find(value);
  if (filed == index->second.keys_by_value.end()) return out;
  for (const auto& key : filed->second) out.push_back(objects_.at(key));
  return out;
}

std::vector<std::string> InformerCache::index_values(const std::string& name) const {
  auto index = indexes_.find(name);
  CRATON_ASSERT(index != indexes_.end(), "a lookup in an index never added");
  std::vector<std::string> out;
  for (const auto& [value, keys] : index->second.keys_by_value) out.push_back(value);
  return out;
}

void InformerCache::file(Index& index, const std::string& key,
                         const std::vector<std::string>& values) {
  for (const auto& value : values) index.keys_by_value[value].insert(key);
}

void InformerCache::unfile(Index& index, const std::string& key,
                           const std::vector<std::string>& values) {
  for (const auto& value : values) {
    auto at = index.keys_by_value.find(value);
    if (at == index.keys_by_value.end()) continue;
    at->second.erase(key);
    if (at->second.empty()) index.keys_by_value.erase(at);
  }
}

}  // namespace craton::api
